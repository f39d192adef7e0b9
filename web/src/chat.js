/* chat.js - the resident's live chat on /contact/chat (docs/chat.md).
 *
 * The page says without JavaScript that the chat needs it and offers the
 * call-me-back form instead; this script replaces that with the chat.
 *
 * Transport: Server-Sent Events from /contact/chat/stroom say that
 * something changed ("update", "queue") or that the agent types
 * ("typing"); the script then asks /contact/chat/status?after=<seq> for
 * the messages after the last one it shows.  Messages are keyed by their
 * seq, so a message is never shown twice, and nothing is missed after a
 * dropped connection: every (re)connection starts with an "update".
 *
 * Sending: every message gets a UUID (clientKey) when it is typed and is
 * sent until the server has it; a retry after a lost answer sends the
 * same key, which the server stores once.  Unsent messages wait in
 * sessionStorage, so even a reload does not lose them.
 *
 * All text from people is inserted with textContent, never as HTML.
 */
(function () {
  "use strict";
  var root = document.getElementById("chat");
  if (!root || !window.fetch || !window.EventSource) return;
  var API = root.getAttribute("data-api") || "/contact/chat";
  var PENDING = "loket-chat-pending";

  var nojs = document.getElementById("chat-zonder-js");
  if (nojs) nojs.hidden = true;
  root.hidden = false;

  var state = {
    last: 0,          /* highest message seq shown */
    shown: {},        /* seq -> element */
    pending: [],      /* [{clientKey, text}] not yet stored */
    pendingEl: {},    /* clientKey -> element */
    agentRead: 0,
    readSent: 0,
    lastAgentSeq: 0,
    ownSeqs: [],
    ended: false
  };
  var es = null;
  var retry = 1000;
  var busy = false;
  var again = false;
  var typingTimer = null;
  var typingSent = 0;
  var flushing = false;

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = text;
    return e;
  }

  function uuid() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var b = new Uint8Array(16);
    crypto.getRandomValues(b);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.prototype.map.call(b, function (x) {
      return (x + 0x100).toString(16).slice(1);
    }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) +
      "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  function post(path, body) {
    return fetch(API + path, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body || {})
    });
  }

  function savePending() {
    try {
      sessionStorage.setItem(PENDING, JSON.stringify(state.pending));
    } catch (e) { /* private mode: kept in memory only */ }
  }

  function loadPending() {
    try {
      var p = JSON.parse(sessionStorage.getItem(PENDING) || "[]");
      if (Array.isArray(p)) state.pending = p;
    } catch (e) { state.pending = []; }
  }

  /* ---- the start form ---------------------------------------------- */

  function field(id, label, input) {
    var f = el("div", "utrecht-form-field utrecht-form-field--text");
    var lp = el("p", "utrecht-form-field__label");
    var l = el("label", "utrecht-form-label", label);
    l.htmlFor = id;
    lp.appendChild(l);
    f.appendChild(lp);
    var ip = el("p", "utrecht-form-field__input");
    input.id = id;
    ip.appendChild(input);
    f.appendChild(ip);
    return f;
  }

  function showStart(error) {
    root.textContent = "";
    var form = el("form", "utrecht-form loket-chat-start");
    form.noValidate = false;
    if (error) {
      var a = el("div", "utrecht-alert utrecht-alert--error");
      a.setAttribute("role", "alert");
      a.appendChild(el("p", "utrecht-paragraph", error));
      form.appendChild(a);
    }
    var name = el("input", "utrecht-textbox");
    name.type = "text"; name.name = "naam"; name.autocomplete = "name";
    name.maxLength = 200;
    var email = el("input", "utrecht-textbox");
    email.type = "email"; email.name = "email"; email.autocomplete = "email";
    var q = el("textarea", "utrecht-textarea");
    q.name = "vraag"; q.rows = 4; q.required = true; q.maxLength = 2000;
    form.appendChild(field("chat-naam", "Naam (niet verplicht)", name));
    form.appendChild(field("chat-email",
      "E-mailadres (niet verplicht)", email));
    form.appendChild(field("chat-vraag", "Uw vraag", q));
    var bg = el("p", "utrecht-button-group");
    var b = el("button", "utrecht-button utrecht-button--primary-action",
      "Start de chat");
    b.type = "submit";
    bg.appendChild(b);
    form.appendChild(bg);
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      if (!q.value.trim()) { q.focus(); return; }
      b.disabled = true;
      var body = { text: q.value, name: name.value };
      if (email.value) body.email = email.value;
      post("/start", body).then(function (r) {
        if (r.status === 201) { showChat(); return; }
        b.disabled = false;
        showStart(r.status === 422 ?
          "Controleer wat u hebt ingevuld." :
          "Het starten van de chat is niet gelukt. Probeer het opnieuw.");
      }, function () {
        b.disabled = false;
        showStart("Geen verbinding. Probeer het opnieuw.");
      });
    });
    root.appendChild(el("h2", "utrecht-heading-2", "Start een chat"));
    root.appendChild(form);
  }

  /* ---- the chat ------------------------------------------------------ */

  var ui = {};

  function showChat() {
    root.textContent = "";
    ui.status = el("p", "utrecht-paragraph loket-chat-status");
    ui.status.id = "chat-status";
    ui.status.setAttribute("role", "status");
    ui.log = el("ol", "loket-chat-log");
    ui.log.id = "chat-berichten";
    ui.log.setAttribute("aria-live", "polite");
    ui.log.setAttribute("aria-label", "Berichten");
    ui.typing = el("p", "loket-chat-typing", "");
    ui.typing.id = "chat-typt";
    ui.typing.setAttribute("aria-live", "polite");
    ui.conn = el("p", "loket-chat-conn", "");
    ui.conn.id = "chat-verbinding";
    ui.conn.setAttribute("role", "status");
    root.appendChild(ui.status);
    root.appendChild(ui.conn);
    root.appendChild(ui.log);
    root.appendChild(ui.typing);

    ui.form = el("form", "utrecht-form loket-chat-form");
    var t = el("textarea", "utrecht-textarea");
    t.name = "bericht"; t.rows = 2; t.maxLength = 2000;
    ui.text = t;
    ui.form.appendChild(field("chat-bericht", "Uw bericht", t));
    var bg = el("p", "utrecht-button-group");
    var send = el("button", "utrecht-button utrecht-button--primary-action",
      "Versturen");
    send.type = "submit";
    send.id = "chat-versturen";
    bg.appendChild(send);
    var cb = el("a", "utrecht-link loket-chat-callback", "Bel mij terug");
    cb.href = "/contact/terugbellen";
    cb.id = "chat-terugbellen";
    bg.appendChild(cb);
    ui.form.appendChild(bg);
    t.addEventListener("input", typing);
    t.addEventListener("keydown", function (ev) {
      if (ev.key === "Enter" && !ev.shiftKey) {
        ev.preventDefault();
        ui.form.requestSubmit ? ui.form.requestSubmit() : submit(ev);
      }
    });
    ui.form.addEventListener("submit", submit);
    root.appendChild(ui.form);

    ui.end = el("form", "utrecht-form loket-chat-end");
    var mail = el("input", "utrecht-textbox");
    mail.type = "email"; mail.name = "email"; mail.autocomplete = "email";
    ui.end.appendChild(field("chat-transcript",
      "Gesprek per e-mail ontvangen (niet verplicht)", mail));
    var eb = el("p", "utrecht-button-group");
    var end = el("button", "utrecht-button utrecht-button--secondary-action",
      "Chat beëindigen");
    end.type = "submit";
    end.id = "chat-beeindigen";
    eb.appendChild(end);
    ui.end.appendChild(eb);
    ui.end.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var body = mail.value ? { email: mail.value } : {};
      post("/einde", body).then(function (r) {
        if (r.status === 422) {
          ui.conn.textContent = "Vul een geldig e-mailadres in.";
          return;
        }
        return r.json().then(function (j) {
          ended(j.transcript === "queued" ?
            "De chat is beëindigd. U ontvangt het gesprek per e-mail." :
            "De chat is beëindigd.");
        });
      }, function () {
        ui.conn.textContent = "Geen verbinding. Probeer het opnieuw.";
      });
    });
    root.appendChild(ui.end);

    loadPending();
    state.pending.forEach(function (p) { showPending(p); });
    connect();
    flush();
  }

  function ended(msg) {
    state.ended = true;
    if (es) { es.close(); es = null; }
    if (ui.form) ui.form.hidden = true;
    if (ui.end) ui.end.hidden = true;
    ui.status.textContent = msg;
  }

  function timeText(iso) {
    try {
      return new Date(iso).toLocaleTimeString("nl-NL", {
        hour: "2-digit", minute: "2-digit", timeZone: "Europe/Amsterdam" });
    } catch (e) { return ""; }
  }

  function messageEl(from, who, text, at) {
    var li = el("li", "loket-chat-msg loket-chat-msg--" + from);
    var head = el("p", "loket-chat-msg__who", who);
    if (at) {
      var tm = el("time", "loket-chat-msg__time", timeText(at));
      tm.dateTime = at;
      head.appendChild(document.createTextNode(" "));
      head.appendChild(tm);
    }
    li.appendChild(head);
    li.appendChild(el("p", "loket-chat-msg__text", text));
    return li;
  }

  function showPending(p) {
    var li = messageEl("resident", "U", p.text, null);
    li.classList.add("loket-chat-msg--pending");
    li.appendChild(el("p", "loket-chat-msg__state", "Wordt verstuurd…"));
    li.setAttribute("data-client-key", p.clientKey);
    state.pendingEl[p.clientKey] = li;
    ui.log.appendChild(li);
  }

  function insert(m) {
    if (state.shown[m.seq]) return; /* shown already */
    var li = messageEl(m.from, m.from === "resident" ? "U" : m.author,
      m.text, m.at);
    li.setAttribute("data-seq", String(m.seq));
    li.id = "bericht-" + m.seq;
    state.shown[m.seq] = li;
    if (m.clientKey && state.pendingEl[m.clientKey]) {
      ui.log.replaceChild(li, state.pendingEl[m.clientKey]);
      delete state.pendingEl[m.clientKey];
      state.pending = state.pending.filter(function (p) {
        return p.clientKey !== m.clientKey;
      });
      savePending();
    } else {
      /* before the pending ones, which are newer */
      var first = ui.log.querySelector(".loket-chat-msg--pending");
      ui.log.insertBefore(li, first);
    }
    if (m.from === "resident") state.ownSeqs.push(m.seq);
    if (m.from === "agent" && m.seq > state.lastAgentSeq) {
      state.lastAgentSeq = m.seq;
      ui.typing.textContent = "";
    }
    if (m.seq > state.last) state.last = m.seq;
  }

  function readMarks() {
    state.ownSeqs.forEach(function (seq) {
      var li = state.shown[seq];
      if (!li || seq > state.agentRead ||
          li.querySelector(".loket-chat-msg__state")) return;
      li.appendChild(el("p", "loket-chat-msg__state", "Gelezen"));
    });
  }

  function describe(s) {
    if (s.state === "ended") return "De chat is beëindigd.";
    if (s.agent)
      return s.agent.name + " is bij het gesprek (kenmerk " + s.reference +
        ").";
    if (s.position)
      return "U bent nummer " + s.position + " in de wachtrij.";
    return "Een medewerker komt zo bij u.";
  }

  function markRead() {
    if (document.hidden || state.lastAgentSeq <= state.readSent) return;
    var seq = state.lastAgentSeq;
    post("/gelezen", { seq: seq }).then(function (r) {
      if (r.ok && seq > state.readSent) state.readSent = seq;
    }, function () { /* sent again with the next status */ });
  }

  /* One status request at a time; one more if asked meanwhile. */
  function refresh() {
    if (busy) { again = true; return; }
    busy = true;
    fetch(API + "/status?after=" + state.last, { credentials: "same-origin" })
      .then(function (r) {
        if (r.status === 404) { showStart(); return null; }
        if (!r.ok) throw new Error("status " + r.status);
        return r.json();
      }).then(function (s) {
        if (!s) return;
        s.messages.forEach(insert);
        state.agentRead = s.agentRead;
        readMarks();
        if (s.state === "ended") { ended(describe(s)); return; }
        ui.status.textContent = describe(s);
        if (s.more) again = true;
        markRead();
      }).catch(function () { /* the stream's next event asks again */ })
      .then(function () {
        busy = false;
        if (again) { again = false; refresh(); }
      });
  }

  function connect() {
    if (state.ended) return;
    if (es) es.close();
    es = new EventSource(API + "/stroom");
    es.addEventListener("open", function () {
      retry = 1000;
      ui.conn.textContent = "";
      flush();
    });
    es.addEventListener("update", refresh);
    es.addEventListener("queue", refresh);
    es.addEventListener("typing", function () {
      ui.typing.textContent = "De medewerker typt…";
      clearTimeout(typingTimer);
      typingTimer = setTimeout(function () {
        ui.typing.textContent = "";
      }, 5000);
    });
    es.addEventListener("error", function () {
      ui.conn.textContent = "De verbinding is verbroken. We proberen het " +
        "opnieuw…";
      if (es.readyState === EventSource.CLOSED) {
        es = null;
        setTimeout(connect, retry);
        retry = Math.min(retry * 2, 30000);
      }
    });
  }

  /* Sends the waiting messages in order, each until the server has it. */
  function flush() {
    if (flushing || state.ended || state.pending.length === 0) return;
    flushing = true;
    var p = state.pending[0];
    post("/berichten", { clientKey: p.clientKey, text: p.text })
      .then(function (r) {
        flushing = false;
        if (r.status === 200 || r.status === 201) {
          refresh();
          /* the status answer removes it from pending; until then do not
           * send the next one twice */
          state.pending = state.pending.filter(function (q) {
            return q.clientKey !== p.clientKey;
          });
          savePending();
          flush();
        } else if (r.status === 409) {
          ended("De chat is beëindigd.");
        } else if (r.status === 422 || r.status === 404) {
          var li = state.pendingEl[p.clientKey];
          if (li) {
            li.lastChild.textContent = "Niet verstuurd.";
            li.classList.remove("loket-chat-msg--pending");
          }
          state.pending.shift();
          savePending();
          flush();
        } else {
          setTimeout(flush, 2000);
        }
      }, function () {
        flushing = false;
        setTimeout(flush, 2000); /* offline: try again */
      });
  }

  function submit(ev) {
    ev.preventDefault();
    var text = ui.text.value;
    if (!text.trim()) return;
    var p = { clientKey: uuid(), text: text };
    state.pending.push(p);
    savePending();
    showPending(p);
    ui.text.value = "";
    flush();
  }

  function typing() {
    var now = Date.now();
    if (now - typingSent < 3000) return;
    typingSent = now;
    post("/typen", {}).catch(function () { /* only a hint */ });
  }

  window.addEventListener("online", function () {
    if (!es) connect();
    flush();
  });
  document.addEventListener("visibilitychange", markRead);

  if (root.getAttribute("data-going") === "ja") showChat(); else showStart();
})();
