<?xml version="1.0" encoding="UTF-8"?>
<!-- How words are said.  An <alias> replaces the written word for every engine;
     a <phoneme> in IPA is used by engines that take phonemes (Piper). -->
<lexicon version="1.0" xmlns="http://www.w3.org/2005/01/pronunciation-lexicon"
         alphabet="ipa" xml:lang="en">
  <lexeme>
    <grapheme>EPUB</grapheme>
    <alias>ee pub</alias>
  </lexeme>
  <lexeme>
    <grapheme>Leith</grapheme>
    <phoneme>liːθ</phoneme>
  </lexeme>
</lexicon>
