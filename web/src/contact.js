/* contact.js - the contact forms say at once when a file is too large
 * (progressive enhancement).
 *
 * Without it the server checks the file after sending; a file larger than
 * the whole request may be answered with 413 and the typed text is lost.  So
 * the script checks the size when a file is chosen and before sending,
 * and shows the error next to the field, as the server would.
 */
(function () {
  "use strict";
  var inputs = document.querySelectorAll("input[type=file][data-max-bytes]");
  Array.prototype.forEach.call(inputs, function (input) {
    var max = parseInt(input.getAttribute("data-max-bytes"), 10);
    if (!(max > 0)) return;
    var msg = document.createElement("p");
    msg.className = "utrecht-form-field-error-message " +
      "utrecht-form-field__error-message";
    msg.id = input.id + "-groot";
    msg.hidden = true;
    msg.textContent = "Het bestand is te groot. Kies een kleiner bestand.";
    input.parentNode.parentNode.insertBefore(msg, input.parentNode);

    function tooBig() {
      var f = input.files && input.files[0];
      return !!f && f.size > max;
    }

    function show() {
      var big = tooBig();
      msg.hidden = !big;
      var ids = (input.getAttribute("aria-describedby") || "").split(" ")
        .filter(function (x) { return x && x !== msg.id; });
      if (big) ids.push(msg.id);
      input.setAttribute("aria-describedby", ids.join(" "));
      if (big) input.setAttribute("aria-invalid", "true");
      else input.removeAttribute("aria-invalid");
      return big;
    }

    input.addEventListener("change", show);
    input.form.addEventListener("submit", function (e) {
      if (show()) {
        e.preventDefault();
        input.focus();
      }
    });
  });
})();
