/* kiosk.js - the kiosk forgets its resident (progressive enhancement).
 *
 * Without this script a <meta> refresh sends a kiosk page back to the
 * start after the idle time, counted from page load.  With it, the time
 * counts from the last touch, click or key, so nobody loses a half-typed
 * message; in the last part a visible countdown with an "Ik ben er nog"
 * button appears, and at zero the page goes to the start screen with
 * location.replace(), so Back does not bring the form back.
 */
(function () {
  "use strict";
  var body = document.body;
  var idle = parseInt(body.getAttribute("data-kiosk-idle"), 10);
  var home = body.getAttribute("data-kiosk-home") || "/kiosk";
  if (!(idle > 0)) return;

  /* The warning shows for the last third, at least 3 s and at most 30 s. */
  var warnFor = Math.max(3, Math.min(30, Math.round(idle / 3)));
  var deadline = 0;
  var shown = false;

  var box = document.createElement("div");
  box.className = "loket-kiosk-countdown";
  box.setAttribute("role", "alertdialog");
  box.setAttribute("aria-labelledby", "kiosk-countdown-text");
  box.hidden = true;
  var text = document.createElement("p");
  text.className = "utrecht-paragraph";
  text.id = "kiosk-countdown-text";
  var secs = document.createElement("span");
  secs.id = "kiosk-countdown";
  text.appendChild(document.createTextNode("Niemand aan het werk? Over "));
  text.appendChild(secs);
  text.appendChild(document.createTextNode(
    " seconden begint het scherm opnieuw en is alles gewist."));
  var stay = document.createElement("button");
  stay.type = "button";
  stay.className = "utrecht-button utrecht-button--primary-action";
  stay.textContent = "Ik ben er nog";
  box.appendChild(text);
  box.appendChild(stay);
  body.appendChild(box);

  function reset() {
    deadline = Date.now() + idle * 1000;
    if (shown) {
      shown = false;
      box.hidden = true;
    }
  }

  function tick() {
    var left = Math.ceil((deadline - Date.now()) / 1000);
    if (left <= 0) {
      window.clearInterval(timer);
      window.location.replace(home);
      return;
    }
    if (left <= warnFor) {
      secs.textContent = String(left);
      if (!shown) {
        shown = true;
        box.hidden = false;
        stay.focus();
      }
    }
  }

  ["pointerdown", "keydown", "input", "touchstart", "wheel"].forEach(
    function (t) {
      document.addEventListener(t, reset, { capture: true, passive: true });
    });
  stay.addEventListener("click", reset);
  reset();
  var timer = window.setInterval(tick, 250);
})();
