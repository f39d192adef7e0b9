/* actueel.js - live updates on /actueel pages (progressive enhancement).
 *
 * The page works fully without this script.  With it, the page listens to
 * the Server-Sent Events stream named in its data-stream attribute and,
 * when a notice changes, fetches the page's JSON and inserts the updates
 * it does not show yet and redraws the "Veelgestelde vragen" section (or
 * reloads the list page).  Text goes in as textContent, never as markup.  The browser's
 * EventSource resumes with Last-Event-ID after a dropped connection.
 */
(function () {
  "use strict";
  var root = document.querySelector("[data-stream]");
  if (!root || !window.EventSource || !window.fetch) return;

  var list = document.querySelector(".loket-updates");
  var pending = false;

  function pad(n) { return (n < 10 ? "0" : "") + n; }

  function hhmm(iso) {
    var t = new Date(iso);
    return pad(t.getHours()) + ":" + pad(t.getMinutes());
  }

  function para(cls, text) {
    var p = document.createElement("p");
    p.className = "utrecht-paragraph" + (cls ? " " + cls : "");
    p.textContent = text;
    return p;
  }

  /* "Eerdere versie": earlier texts, newest first, closed by default. */
  function history(versions) {
    if (!versions || !versions.length) return null;
    var d = document.createElement("details");
    var s = document.createElement("summary");
    var ol = document.createElement("ol");
    d.className = "loket-history";
    s.textContent = versions.length > 1 ?
      "Eerdere versies (" + versions.length + ")" : "Eerdere versie";
    ol.className = "loket-history-list";
    versions.forEach(function (v) {
      var li = document.createElement("li");
      li.appendChild(para("loket-history-time",
                          "Tekst tot " + hhmm(v.until) + ":"));
      if (v.question !== undefined) {
        li.appendChild(para("loket-text", "Vraag: " + v.question));
        li.appendChild(para("loket-text", "Antwoord: " + v.answer));
      } else {
        li.appendChild(para("loket-text", v.body));
      }
      ol.appendChild(li);
    });
    d.appendChild(s);
    d.appendChild(ol);
    return d;
  }

  function renderFaqs(doc) {
    var section = document.getElementById("veelgestelde-vragen");
    var dl = section && section.querySelector("dl");
    if (!dl || !doc || !doc.faqs) return;
    while (dl.firstChild) dl.removeChild(dl.firstChild);
    doc.faqs.forEach(function (f) {
      var div = document.createElement("div");
      var dt = document.createElement("dt");
      var dd = document.createElement("dd");
      var h = history(f.previousVersions);
      div.className = "loket-faq";
      div.id = "faq-" + f.id;
      dt.className = "loket-faq-question";
      dt.textContent = f.question;
      dd.className = "loket-faq-answer";
      dd.appendChild(para("loket-text", f.answer));
      if (f.editedAt)
        dd.appendChild(para("loket-edited",
                            "Bijgewerkt om " + hhmm(f.editedAt)));
      if (h) dd.appendChild(h);
      div.appendChild(dt);
      div.appendChild(dd);
      dl.appendChild(div);
    });
    section.hidden = doc.faqs.length === 0;
  }

  function insertUpdates(doc) {
    var updates = (doc && doc.updates) || [];
    for (var i = updates.length - 1; i >= 0; i--) {
      var u = updates[i];
      var existing = document.getElementById("update-" + u.id);
      var li = document.createElement("li");
      var time = document.createElement("p");
      var body = document.createElement("p");
      var t = new Date(u.publishedAt);
      li.className = "loket-update";
      li.id = "update-" + u.id;
      time.className = "utrecht-paragraph loket-update-time";
      time.textContent = pad(t.getHours()) + ":" + pad(t.getMinutes());
      if (u.editedAt) {
        var e = new Date(u.editedAt);
        time.textContent += " (bijgewerkt om " + pad(e.getHours()) + ":" +
          pad(e.getMinutes()) + ")";
      }
      body.className = "utrecht-paragraph loket-text";
      body.textContent = u.body; /* text, never markup */
      li.appendChild(time);
      li.appendChild(body);
      var earlier = history(u.previousVersions);
      if (earlier) li.appendChild(earlier);
      if (existing) existing.parentNode.replaceChild(li, existing);
      else list.insertBefore(li, list.firstChild);
    }
  }

  function refresh() {
    if (pending) return;
    pending = true;
    if (!list) {
      window.location.reload();
      return;
    }
    fetch(window.location.pathname + ".json", {cache: "no-store"})
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (doc) { insertUpdates(doc); renderFaqs(doc); })
      .catch(function () {})
      .then(function () { pending = false; });
  }

  var es = new EventSource(root.getAttribute("data-stream"));
  ["notice.published", "notice.updated", "notice.ended",
   "notice.update_added", "notice.update_edited", "notice.faq_added",
   "notice.faq_updated", "notice.faq_removed"].forEach(function (type) {
    es.addEventListener(type, refresh);
  });
})();
