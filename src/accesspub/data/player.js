/* accesspub read-along: highlights the sentence being spoken and drives the page's own
   <audio>.  No dependency, no request: the times are on the sentence spans (data-b,
   data-e, seconds), the controls are in the page (hidden until this script runs). */
(function () {
  "use strict";
  var audio = document.getElementById("narration");
  var player = document.getElementById("player");
  if (!audio || !player) { return; }
  var RATES = [0.75, 1, 1.25, 1.5, 1.75, 2];
  var spans = document.querySelectorAll("main [data-b]");
  var cues = [], sections = [], i;
  for (i = 0; i < spans.length; i++) {
    cues.push({ node: spans[i], b: +spans[i].getAttribute("data-b"), e: +spans[i].getAttribute("data-e") });
  }
  cues.sort(function (x, y) { return x.b - y.b; });
  var links = document.querySelectorAll(".chapters a[data-start]");
  for (i = 0; i < links.length; i++) { sections.push(+links[i].getAttribute("data-start")); }
  var reduced = window.matchMedia ? window.matchMedia("(prefers-reduced-motion: reduce)") : null;
  var shown = -1, ticking = false;

  // localStorage can be off (privacy settings): the page then just forgets.
  function load(key, fallback) {
    try { var v = window.localStorage.getItem("accesspub-" + key); return v === null ? fallback : v; }
    catch (e) { return fallback; }
  }
  function save(key, value) {
    try { window.localStorage.setItem("accesspub-" + key, String(value)); } catch (e) { /* kept for this page only */ }
  }
  var rate = RATES.indexOf(+load("rate", 1));
  if (rate < 0) { rate = 1; }
  var follow = load("follow", "on") === "on";
  var keys = load("keys", "on") === "on";

  function button(act) { return player.querySelector("[data-act='" + act + "']"); }

  // The last cue started by time t; in a pause between sentences the last one stays lit.
  function find(t, list) {
    var lo = 0, hi = list.length - 1, found = -1;
    while (lo <= hi) {
      var mid = (lo + hi) >> 1;
      if ((list[mid].b === undefined ? list[mid] : list[mid].b) <= t + 0.001) { found = mid; lo = mid + 1; } else { hi = mid - 1; }
    }
    return found;
  }

  function inView(node) {
    var box = node.getBoundingClientRect(), h = window.innerHeight || document.documentElement.clientHeight;
    if (box.top >= h * 0.15 && box.bottom <= h * 0.85) { return; }
    node.scrollIntoView({ block: "center", behavior: reduced && reduced.matches ? "auto" : "smooth" });
  }

  function show(index, scroll) {
    if (index === shown) { return; }
    if (shown >= 0) { cues[shown].node.classList.remove("reading"); cues[shown].node.removeAttribute("tabindex"); }
    shown = index;
    if (index < 0) { return; }
    var node = cues[index].node;
    node.classList.add("reading");
    node.setAttribute("tabindex", "0");   // one tab stop in the text: Enter replays it
    if (scroll && follow && document.activeElement !== node) { inView(node); }
  }

  function sync() { show(find(audio.currentTime, cues), true); }
  function tick() {
    sync();
    if (!audio.paused) { window.requestAnimationFrame(tick); } else { ticking = false; }
  }

  function seek(t, play) {
    audio.currentTime = Math.max(0, t);
    sync();
    if (play) { audio.play(); }
  }
  function step(list, by) {
    if (!list.length) { return; }
    var at = find(audio.currentTime, list) + by;
    var target = list[Math.min(Math.max(at, 0), list.length - 1)];
    seek(target.b === undefined ? target : target.b, false);
  }
  function setRate(index) {
    rate = Math.min(Math.max(index, 0), RATES.length - 1);
    audio.playbackRate = audio.defaultPlaybackRate = RATES[rate];
    document.getElementById("rate").textContent = RATES[rate] + "×";
    save("rate", RATES[rate]);
  }
  function toggle(act, on) {
    var b = button(act);
    if (b) { b.setAttribute("aria-pressed", on ? "true" : "false"); }
    save(act, on ? "on" : "off");
    return on;
  }

  var actions = {
    "play": function () { if (audio.paused) { audio.play(); } else { audio.pause(); } },
    "prev-sentence": function () { step(cues, -1); },
    "next-sentence": function () { step(cues, 1); },
    "prev-section": function () { step(sections, -1); },
    "next-section": function () { step(sections, 1); },
    "slower": function () { setRate(rate - 1); },
    "faster": function () { setRate(rate + 1); },
    "follow": function () { follow = toggle("follow", !follow); if (follow && shown >= 0) { inView(cues[shown].node); } },
    "keys": function () { keys = toggle("keys", !keys); }
  };

  player.addEventListener("click", function (event) {
    var b = event.target.closest("button[data-act]");
    if (b && actions[b.getAttribute("data-act")]) { actions[b.getAttribute("data-act")](); }
  });
  audio.addEventListener("play", function () {
    button("play").textContent = "Pause";
    if (!ticking) { ticking = true; window.requestAnimationFrame(tick); }
  });
  audio.addEventListener("pause", function () { button("play").textContent = "Play"; });
  audio.addEventListener("seeked", sync);
  audio.addEventListener("timeupdate", function () { show(find(audio.currentTime, cues), !audio.paused); });
  audio.addEventListener("loadedmetadata", function () { audio.playbackRate = RATES[rate]; });

  document.addEventListener("click", function (event) {
    if (event.ctrlKey || event.metaKey || event.shiftKey || !event.target.closest) { return; }
    var link = event.target.closest("a[data-start]");
    if (link) { event.preventDefault(); seek(+link.getAttribute("data-start"), true); return; }
    var sentence = event.target.closest("main [data-b]");
    // a link inside the sentence keeps working, and selecting text does not jump
    if (!sentence || event.target.closest("a") || String(window.getSelection()).length) { return; }
    seek(+sentence.getAttribute("data-b"), true);
  });

  var KEYS = { "k": "play", "j": "prev-sentence", "l": "next-sentence", "J": "prev-section",
               "L": "next-section", "-": "slower", "+": "faster", "=": "faster", "f": "follow" };
  document.addEventListener("keydown", function (event) {
    var target = event.target;
    if (event.key === "Enter" && target.hasAttribute && target.hasAttribute("data-b")) {
      event.preventDefault(); seek(+target.getAttribute("data-b"), true); return;
    }
    if (!keys || event.ctrlKey || event.metaKey || event.altKey || target.isContentEditable ||
        /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName)) { return; }
    var act = KEYS[event.key];
    if (act && button(act)) { event.preventDefault(); actions[act](); }
  });

  setRate(rate);
  toggle("follow", follow);
  toggle("keys", keys);
  player.hidden = false;
  if (cues.length) { document.documentElement.classList.add("reads-along"); }
  if (audio.currentTime > 0) { show(find(audio.currentTime, cues), false); }
})();
