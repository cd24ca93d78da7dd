<?xml version="1.0" encoding="UTF-8"?>
<lexicon version="1.0" xmlns="http://www.w3.org/2005/01/pronunciation-lexicon"
         alphabet="ipa" xml:lang="en">
  <!-- words of the sample release -->
  <lexeme>
    <grapheme>Baku</grapheme>
    <phoneme>bɑːˈkuː</phoneme>
  </lexeme>
  <lexeme>
    <grapheme>Ilidza</grapheme>
    <alias>Ilidzha</alias>
  </lexeme>
  <lexeme>
    <grapheme>USSR</grapheme>
    <alias>Soviet Union</alias>
  </lexeme>
</lexicon>
