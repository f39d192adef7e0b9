/* agent.js - the agent console at /agent (docs/agent-console.md).
 *
 * The server sends an empty shell (src/pages/agent.c); this script builds
 * the console from the staff API under /api/v1, authenticated by the
 * session cookie, with the session's CSRF token as the X-CSRF-Token
 * header on every write.  Live updates come from the event stream
 * /api/v1/events: an event says only which conversation, contact or task
 * changed, so the script fetches what it shows again (debounced); the
 * browser resumes the stream with Last-Event-ID, and every (re)connection
 * fetches everything once, which catches up whatever was missed.
 *
 * Security: all text from residents and from the API is inserted with
 * textContent (el() and linkify()), never as HTML; a link is made only
 * for http:, https: and mailto: URLs, and attachment links only from ids.
 *
 * Views (location.hash): #/ the inbox, #/gesprek/<id> a conversation next
 * to the inbox, #/terugbellen the callback queue.  Keys: see HELP.
 */
(function () {
  "use strict";
  var root = document.getElementById("console");
  if (!root || !window.fetch || !window.EventSource) return;

  var SEEN_KEY = "loket-console-seen";
  var KEYS_KEY = "loket-console-keys";
  var SAFE_SCHEMES = { "http:": true, "https:": true, "mailto:": true };
  var STATUS = { open: "Open", pending: "Wacht op inwoner",
    snoozed: "Gesluimerd", resolved: "Afgehandeld" };
  var CHANNEL = { webformulier: "Webformulier", chat: "Chat",
    email: "E-mail", telefoon: "Telefoon", post: "Post", social: "Sociaal",
    video: "Video", kiosk: "Zuil", balie: "Balie" };
  var KIND = { inbound: "Inwoner", outbound: "Medewerker",
    note: "Interne notitie" };
  var PRESENCE = { available: "Beschikbaar", busy: "Bezet",
    away: "Afwezig", offline: "Offline" };
  var OUTCOME = { reached: "Bereikt", not_reached: "Niet bereikt",
    voicemail: "Voicemail ingesproken" };
  var HELP = [
    ["?", "Deze hulp openen of sluiten"],
    ["/", "Naar het zoekveld van de inbox"],
    ["j / k", "Volgend / vorig gesprek in de inbox"],
    ["i", "Naar de inbox"],
    ["t", "Naar de terugbelwachtrij"],
    ["r", "Antwoord schrijven in het open gesprek"],
    ["n", "Interne notitie schrijven in het open gesprek"],
    ["o", "Het open gesprek oppakken (aan mij toewijzen)"],
    ["Ctrl + Enter", "Antwoord of notitie versturen (in het tekstvak)"],
    ["Esc", "Uit een tekstvak of keuzelijst (dan werken de lettertoetsen " +
      "weer), of de dialoog sluiten"]
  ];

  var me = { user: null, csrf: "",
    actorId: document.body.getAttribute("data-actor") || "", agent: null };
  var data = { teams: [], agents: [], categories: [], canned: [] };
  var inbox = { items: [], next: null, unread: {} };
  var cur = { id: null, conv: null, card: null, timeline: [],
    loading: false };
  var seen = loadSeen();
  var ui = {};
  var timers = {};
  var typingSent = 0;
  /* Which load of the inbox and of the open conversation is the latest:
   * loads overlap (an event during a reload starts another one) and their
   * answers can come back in any order, so only the latest one is shown;
   * an older answer would hide what arrived in between. */
  var loads = { inbox: 0, conv: 0 };

  /* ---- small helpers ---------------------------------------------------- */

  function el(tag, attrs, children) {
    var e = document.createElement(tag);
    var k;
    if (attrs) {
      for (k in attrs) {
        if (!Object.prototype.hasOwnProperty.call(attrs, k)) continue;
        if (attrs[k] === null || attrs[k] === undefined ||
            attrs[k] === false) continue;
        if (k === "text") e.textContent = attrs[k];
        else if (k === "className") e.className = attrs[k];
        else if (k === "hidden") e.hidden = true;
        else e.setAttribute(k, attrs[k] === true ? "" : String(attrs[k]));
      }
    }
    if (children) {
      children.forEach(function (c) {
        if (c === null || c === undefined) return;
        e.appendChild(typeof c === "string" ? document.createTextNode(c) : c);
      });
    }
    return e;
  }

  function clear(e) {
    while (e.firstChild) e.removeChild(e.firstChild);
    return e;
  }

  /* Text with web and mail addresses as links; everything else is text.
   * Only the schemes of SAFE_SCHEMES ever become an href. */
  function linkify(parent, text) {
    var re = /\b(?:https?:\/\/|mailto:)[^\s<>"']+/gi;
    var last = 0;
    var m;
    text = text === null || text === undefined ? "" : String(text);
    while ((m = re.exec(text)) !== null) {
      var raw = m[0].replace(/[.,;:!?)]+$/, "");
      var url = null;
      if (m.index > last)
        parent.appendChild(document.createTextNode(text.slice(last, m.index)));
      try {
        url = new URL(raw);
      } catch (e) {
        url = null;
      }
      if (url && SAFE_SCHEMES[url.protocol]) {
        parent.appendChild(el("a", { className: "utrecht-link",
          href: url.href, rel: "noopener noreferrer nofollow",
          target: "_blank", text: raw }));
      } else {
        parent.appendChild(document.createTextNode(raw));
      }
      last = m.index + raw.length;
      re.lastIndex = last;
    }
    if (last < text.length)
      parent.appendChild(document.createTextNode(text.slice(last)));
    return parent;
  }

  function when(ms) {
    if (!ms) return "";
    try {
      return new Date(ms).toLocaleString("nl-NL", { dateStyle: "short",
        timeStyle: "short" });
    } catch (e) {
      return new Date(ms).toISOString();
    }
  }

  function iso(ms) {
    return ms ? new Date(ms).toISOString() : "";
  }

  function loadSeen() {
    try {
      return JSON.parse(localStorage.getItem(SEEN_KEY) || "{}") || {};
    } catch (e) {
      return {};
    }
  }

  function saveSeen() {
    try {
      localStorage.setItem(SEEN_KEY, JSON.stringify(seen));
    } catch (e) {
      /* private mode: unread marks last only this page */
    }
  }

  function keysOn() {
    try {
      return localStorage.getItem(KEYS_KEY) !== "off";
    } catch (e) {
      return true;
    }
  }

  /* Says `text` in the live region: each message is a new paragraph
   * (screen readers read additions), the last five are kept. */
  function announce(text) {
    var live = document.getElementById("console-live");
    if (!live) return;
    live.appendChild(el("p", { text: text }));
    while (live.children.length > 5) live.removeChild(live.firstChild);
  }

  function debounce(name, fn, ms) {
    clearTimeout(timers[name]);
    timers[name] = setTimeout(fn, ms);
  }

  /* ---- the API ----------------------------------------------------------- */

  function ApiError(status, problem) {
    this.status = status;
    this.problem = problem || {};
    this.message = (problem && (problem.detail || problem.title)) ||
      ("HTTP " + status);
  }

  function api(method, path, body, headers) {
    var h = { "Accept": "application/json" };
    var k;
    var opts = { method: method, credentials: "same-origin", headers: h };
    if (method !== "GET" && method !== "HEAD") h["X-CSRF-Token"] = me.csrf;
    if (body instanceof Blob) {
      opts.body = body;
    } else if (body !== undefined) {
      h["Content-Type"] = "application/json";
      opts.body = JSON.stringify(body);
    }
    for (k in headers || {}) h[k] = headers[k];
    if (leaving && method !== "DELETE")
      return Promise.reject(new ApiError(0, { detail: "afgemeld" }));
    return fetch(path, opts).then(function (r) {
      if (r.status === 401 && path.indexOf("/api/v1/") === 0) {
        /* back to the same view after logging in again */
        var view = /^#\/(gesprek\/[0-9a-fA-F-]{36}|terugbellen)$/
          .test(location.hash) ? location.hash : "";
        location.href = "/login?next=" + encodeURIComponent("/agent" + view);
        throw new ApiError(401, null);
      }
      if (r.status === 204) return null;
      return r.text().then(function (t) {
        var j = null;
        try {
          j = t ? JSON.parse(t) : null;
        } catch (e) {
          j = null;
        }
        if (!r.ok) throw new ApiError(r.status, j);
        return j;
      });
    });
  }

  function q(params) {
    var parts = [];
    Object.keys(params).forEach(function (k) {
      if (params[k] !== "" && params[k] !== null && params[k] !== undefined)
        parts.push(encodeURIComponent(k) + "=" +
                   encodeURIComponent(params[k]));
    });
    return parts.length ? "?" + parts.join("&") : "";
  }

  function showError(where, err) {
    var box = where || ui.error;
    clear(box);
    box.hidden = false;
    box.appendChild(el("p", { className: "utrecht-paragraph",
      text: "Dat lukte niet: " + (err && err.message ? err.message : err) }));
  }

  function hideError(where) {
    clear(where || ui.error).hidden = true;
  }

  /* ---- form controls ----------------------------------------------------- */

  var uid = 0;
  var leaving = false;
  var colleagues = {};
  setInterval(function () { renderColleagues(); }, 5000);

  function field(label, control, extraClass) {
    var id = control.id || ("veld-" + (++uid));
    control.id = id;
    return el("div", { className: "utrecht-form-field loket-console-field " +
      (extraClass || "") }, [
      el("label", { className: "utrecht-form-label", "for": id,
        text: label }),
      control
    ]);
  }

  function select(name, options, value) {
    var s = el("select", { className: "utrecht-select utrecht-select--html-" +
      "select", name: name });
    options.forEach(function (o) {
      if (o.group) {
        var g = el("optgroup", { label: o.group });
        o.options.forEach(function (p) {
          g.appendChild(el("option", { value: p[0], text: p[1] }));
        });
        s.appendChild(g);
      } else {
        s.appendChild(el("option", { value: o[0], text: o[1] }));
      }
    });
    if (value !== undefined) s.value = value;
    return s;
  }

  function button(text, cls, attrs) {
    var a = attrs || {};
    a.className = "utrecht-button utrecht-button--" +
      (cls || "secondary-action");
    a.type = a.type || "button";
    a.text = text;
    return el("button", a);
  }

  function agentName(id) {
    var i;
    for (i = 0; i < data.agents.length; i++)
      if (data.agents[i].id === id) return data.agents[i].name;
    return null;
  }

  function teamName(id) {
    var i;
    for (i = 0; i < data.teams.length; i++)
      if (data.teams[i].id === id) return data.teams[i].name;
    return null;
  }

  /* ---- the frame --------------------------------------------------------- */

  function buildFrame() {
    var nav = document.getElementById("console-nav");
    var inboxLink = nav && nav.querySelector("a[href='/agent']");
    if (inboxLink) inboxLink.setAttribute("href", "#/");
    if (nav) {
      nav.insertBefore(el("li", null, [el("a", { className: "utrecht-link",
        href: "#/terugbellen", id: "nav-terugbellen" }, [
        "Terugbellen ", el("span", { id: "terugbel-aantal",
          className: "loket-console-count" })])]), nav.lastChild);
      nav.appendChild(el("li", null, [button("Sneltoetsen (?)",
        "subtle", { id: "hulp-knop", "aria-haspopup": "dialog" })]));
    }
    ui.error = el("div", { className: "utrecht-alert utrecht-alert--error",
      role: "alert", hidden: true });
    root.appendChild(ui.error);
    root.appendChild(el("h1", { className: "loket-visually-hidden",
      text: "Console" }));
    ui.layout = el("div", { className: "loket-console-layout" });
    root.appendChild(ui.layout);
    buildInbox();
    buildConversation();
    buildCard();
    buildCallbacks();
    buildHelp();
    document.getElementById("hulp-knop").addEventListener("click", openHelp);
    /* Log-out: leave the open conversation and stop listening first, so
     * nothing is sent without a session afterwards. */
    var out = document.querySelector("form.loket-logout");
    if (out) out.addEventListener("submit", function (e) {
      if (leaving) return;
      e.preventDefault();
      leaving = true;
      if (stream) stream.close();
      var bye = viewing.id ? api("DELETE", viewerUrl(viewing.id) + "/me")
        .catch(function () {}) : Promise.resolve();
      clearInterval(viewing.timer);
      viewing.id = null;
      data.consoleApi = false;
      Promise.race([bye, new Promise(function (r) { setTimeout(r, 1000); })])
        .then(function () { out.submit(); });
    });
    var nojs = document.getElementById("console-zonder-js");
    if (nojs) nojs.hidden = true;
    root.hidden = false;
  }

  /* ---- presence ---------------------------------------------------------- */

  function buildUser() {
    var box = document.getElementById("console-user");
    if (!box) return;
    clear(box);
    box.appendChild(el("span", { className: "loket-console-me",
      text: me.user.displayName }));
    if (!me.agent) return;
    var s = select("presence", [["available", PRESENCE.available],
      ["busy", PRESENCE.busy], ["away", PRESENCE.away],
      ["offline", PRESENCE.offline]], me.agent.presence);
    s.id = "aanwezigheid";
    box.appendChild(field("Mijn status", s, "loket-console-inline"));
    s.addEventListener("change", function () {
      api("PUT", "/api/v1/agents/" + encodeURIComponent(me.agent.id) +
          "/presence", { presence: s.value }).then(function (a) {
        me.agent = a || me.agent;
        announce("Uw status is nu " + PRESENCE[s.value]);
      }, function (err) { showError(null, err); });
    });
  }

  /* ---- the inbox --------------------------------------------------------- */

  function buildInbox() {
    var sec = el("section", { id: "inbox", className: "loket-console-inbox",
      "aria-labelledby": "inbox-kop" });
    var head = el("h2", { id: "inbox-kop", className: "utrecht-heading-2",
      tabindex: "-1" },
      ["Inbox ", el("span", { id: "inbox-ongelezen",
        className: "loket-console-count" })]);
    var form = el("form", { id: "inbox-filters", role: "search",
      className: "loket-console-filters" });
    ui.search = el("input", { type: "search", name: "q", id: "inbox-zoek",
      className: "utrecht-textbox", autocomplete: "off" });
    form.appendChild(field("Zoeken", ui.search, "loket-console-wide"));
    ui.fStatus = select("status", [["", "Alle"], ["open", STATUS.open],
      ["pending", STATUS.pending], ["snoozed", STATUS.snoozed],
      ["resolved", STATUS.resolved]], "open");
    ui.fStatus.id = "filter-status";
    form.appendChild(field("Status", ui.fStatus));
    var ch = [["", "Alle"]];
    Object.keys(CHANNEL).forEach(function (k) { ch.push([k, CHANNEL[k]]); });
    ui.fChannel = select("channel", ch, "");
    ui.fChannel.id = "filter-kanaal";
    form.appendChild(field("Kanaal", ui.fChannel));
    ui.fTeam = select("teamId", [["", "Alle"]], "");
    ui.fTeam.id = "filter-team";
    form.appendChild(field("Team", ui.fTeam));
    ui.fCategory = select("categoryId", [["", "Alle"]], "");
    ui.fCategory.id = "filter-categorie";
    form.appendChild(field("Categorie", ui.fCategory));
    ui.fAssignee = select("assigneeId", [["", "Iedereen"], ["me", "Mij"],
      ["none", "Niemand"]], "");
    ui.fAssignee.id = "filter-behandelaar";
    form.appendChild(field("Behandelaar", ui.fAssignee));
    ui.fUnread = el("input", { type: "checkbox", name: "unread",
      id: "filter-ongelezen", className: "utrecht-checkbox " +
      "utrecht-checkbox--html-input" });
    form.appendChild(el("div", { className: "loket-console-check" }, [
      ui.fUnread, el("label", { "for": "filter-ongelezen",
        text: "Alleen ongelezen" })]));
    form.appendChild(button("Zoek", "secondary-action", { type: "submit" }));
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      loadInbox();
    });
    [ui.fStatus, ui.fChannel, ui.fTeam, ui.fCategory, ui.fAssignee,
     ui.fUnread].forEach(
      function (c) { c.addEventListener("change", function () {
        loadInbox();
      }); });
    ui.inboxList = el("ul", { id: "inbox-lijst",
      className: "loket-console-list", "aria-labelledby": "inbox-kop" });
    ui.inboxEmpty = el("p", { className: "utrecht-paragraph loket-muted",
      text: "Geen gesprekken.", hidden: true });
    ui.inboxMore = button("Meer laden", "secondary-action",
      { id: "inbox-meer", hidden: true });
    ui.inboxMore.addEventListener("click", function () {
      loadInbox(true);
    });
    sec.appendChild(head);
    sec.appendChild(el("dl", { id: "inbox-tellers", className:
      "utrecht-data-list loket-console-dl loket-console-counts",
      "aria-label": "Tellers" }));
    sec.appendChild(form);
    sec.appendChild(ui.inboxList);
    sec.appendChild(ui.inboxEmpty);
    sec.appendChild(ui.inboxMore);
    ui.layout.appendChild(sec);
    ui.inbox = sec;
  }

  function fillFilterOptions() {
    var v = ui.fTeam.value;
    clear(ui.fTeam).appendChild(el("option", { value: "", text: "Alle" }));
    data.teams.forEach(function (t) {
      ui.fTeam.appendChild(el("option", { value: t.id, text: t.name }));
    });
    ui.fTeam.value = v;
    v = ui.fCategory.value;
    clear(ui.fCategory).appendChild(el("option", { value: "",
      text: "Alle" }));
    data.categories.forEach(function (c) {
      ui.fCategory.appendChild(el("option", { value: c.id, text: c.name }));
    });
    ui.fCategory.value = v;
  }

  function isUnread(it) {
    if (inbox.unread[it.id] !== undefined) return inbox.unread[it.id] > 0;
    return !seen[it.id] || it.lastMessageAt > seen[it.id];
  }

  function loadInbox(more) {
    var params = {
      status: ui.fStatus.value, channel: ui.fChannel.value,
      teamId: ui.fTeam.value, categoryId: ui.fCategory.value,
      assigneeId: ui.fAssignee.value,
      q: ui.search.value.trim(), limit: 50,
      cursor: more ? inbox.next : ""
    };
    /* A refresh (after an event) reads as many as the agent has loaded
     * with "Meer laden", up to the API's 100, so they stay on screen. */
    if (!more)
      params.limit = Math.min(100, Math.max(50, inbox.items.length));
    /* "Meer laden" adds to the list a refresh made, so it does not
     * start a new one; a refresh started later drops its answer. */
    var n = more ? loads.inbox : ++loads.inbox;
    return api("GET", "/api/v1/conversations" + q(params)).then(function (r) {
      if (n !== loads.inbox) return;
      inbox.items = more ? inbox.items.concat(r.items) : r.items;
      inbox.next = r.next;
      (r.items || []).forEach(function (it) {
        if (typeof it.unread === "boolean")
          inbox.unread[it.id] = it.unread ? 1 : 0;
        /* what is open on the screen is read (its mark is on its way) */
        if (it.id === cur.id && !ui.layout.hidden && !document.hidden)
          inbox.unread[it.id] = 0;
      });
      renderInbox();
    }, function (err) { showError(null, err); });
  }

  function renderInbox() {
    var focused = document.activeElement &&
      document.activeElement.getAttribute("data-conv");
    var total = 0;
    clear(ui.inboxList);
    inbox.items.forEach(function (it) {
      var unread = isUnread(it);
      if (unread) total++;
      if (ui.fUnread.checked && !unread) return;
      var who = it.party ? it.party.name : "";
      var a = el("a", { href: "#/gesprek/" + encodeURIComponent(it.id),
        className: "loket-inbox-item" + (unread ? " loket-inbox-item--unread"
          : ""), "data-conv": it.id,
        "aria-current": it.id === cur.id ? "true" : null }, [
        el("span", { className: "loket-inbox-item__top" }, [
          el("span", { className: "loket-inbox-item__who", text: who }),
          el("span", { className: "loket-badge", text:
            CHANNEL[it.channel] || it.channel }),
          unread ? el("span", { className: "loket-badge loket-badge--unread",
            text: "ongelezen" }) : null
        ]),
        el("span", { className: "loket-inbox-item__subject",
          text: it.subject || "(geen onderwerp)" }),
        el("span", { className: "loket-inbox-item__preview",
          text: it.preview || "" }),
        el("span", { className: "loket-inbox-item__meta loket-muted" }, [
          it.reference + " · " + (STATUS[it.status] || it.status) + " · ",
          el("time", { datetime: iso(it.lastMessageAt),
            text: when(it.lastMessageAt) }),
          it.assigneeId ? " · " + (agentName(it.assigneeId) ||
            "toegewezen") : " · niet toegewezen"
        ])
      ]);
      ui.inboxList.appendChild(el("li", { className: "loket-inbox-row",
        "data-conv": it.id }, [a]));
    });
    ui.inboxEmpty.hidden = ui.inboxList.children.length > 0;
    ui.inboxMore.hidden = !inbox.next;
    document.getElementById("inbox-ongelezen").textContent =
      total ? "(" + total + " ongelezen)" : "";
    document.title = (total ? "(" + total + ") " : "") + "Console - Loket";
    if (focused) {
      var back = ui.inboxList.querySelector("a[data-conv='" +
        CSS.escape(focused) + "']");
      if (back) back.focus();
    }
  }

  function moveInbox(step) {
    var links = Array.prototype.slice.call(
      ui.inboxList.querySelectorAll("a.loket-inbox-item"));
    if (!links.length) return;
    var at = links.indexOf(document.activeElement);
    if (at < 0) {
      links.forEach(function (l, i) {
        if (l.getAttribute("data-conv") === cur.id) at = i;
      });
    }
    at = Math.max(0, Math.min(links.length - 1, at < 0 ? 0 : at + step));
    links[at].focus();
  }

  /* ---- one conversation -------------------------------------------------- */

  function buildConversation() {
    var sec = el("section", { id: "gesprek", className: "loket-console-conv",
      "aria-labelledby": "gesprek-kop" });
    ui.convHead = el("h2", { id: "gesprek-kop", className: "utrecht-heading-2",
      tabindex: "-1", text: "Geen gesprek gekozen" });
    ui.convMeta = el("p", { className: "utrecht-paragraph loket-muted",
      id: "gesprek-gegevens" });
    ui.convError = el("div", { className: "utrecht-alert utrecht-alert--error",
      role: "alert", hidden: true });
    ui.presence = el("p", { id: "gesprek-collega", className:
      "loket-console-colleague", "aria-live": "polite" });
    ui.typing = el("p", { id: "gesprek-typt", className: "loket-muted",
      "aria-live": "polite" });
    ui.convBody = el("div", { id: "gesprek-inhoud", hidden: true });
    sec.appendChild(ui.convHead);
    sec.appendChild(ui.convMeta);
    sec.appendChild(ui.convError);
    sec.appendChild(ui.presence);
    ui.convBody.appendChild(buildActions());
    ui.timeline = el("ol", { id: "tijdlijn", className: "loket-timeline",
      "aria-label": "Tijdlijn van de inwoner" });
    ui.convBody.appendChild(el("h3", { className: "utrecht-heading-3",
      text: "Tijdlijn (alle kanalen)" }));
    ui.convBody.appendChild(ui.timeline);
    ui.convBody.appendChild(ui.typing);
    ui.convBody.appendChild(buildReply());
    sec.appendChild(ui.convBody);
    ui.layout.appendChild(sec);
    ui.conv = sec;
  }

  function buildActions() {
    var box = el("div", { className: "loket-console-actions" });
    ui.claim = button("Oppakken", "primary-action", { id: "oppakken" });
    ui.claim.addEventListener("click", claim);
    box.appendChild(el("div", { className: "utrecht-button-group" },
      [ui.claim]));

    ui.assignSel = select("assign", [["", "Kies…"]]);
    ui.assignSel.id = "toewijzen";
    var assignBtn = button("Toewijzen", "secondary-action",
      { id: "toewijzen-knop" });
    assignBtn.addEventListener("click", assign);
    box.appendChild(el("div", { className: "loket-console-row" }, [
      field("Toewijzen aan", ui.assignSel), assignBtn]));

    ui.statusSel = select("status", [["open", STATUS.open],
      ["pending", STATUS.pending], ["snoozed", STATUS.snoozed],
      ["resolved", STATUS.resolved]]);
    ui.statusSel.id = "gesprek-status";
    ui.snooze = el("input", { type: "datetime-local", id: "sluimer-tot",
      className: "utrecht-textbox" });
    ui.snoozeField = field("Sluimeren tot", ui.snooze);
    ui.snoozeField.hidden = true;
    ui.statusSel.addEventListener("change", function () {
      ui.snoozeField.hidden = ui.statusSel.value !== "snoozed";
      if (!ui.snoozeField.hidden && !ui.snooze.value) {
        var d = new Date(Date.now() + 3600 * 1000);
        d.setMinutes(d.getMinutes() - d.getTimezoneOffset());
        ui.snooze.value = d.toISOString().slice(0, 16);
      }
    });
    var statusBtn = button("Status opslaan", "secondary-action",
      { id: "status-knop" });
    statusBtn.addEventListener("click", saveStatus);
    box.appendChild(el("div", { className: "loket-console-row" }, [
      field("Status", ui.statusSel), ui.snoozeField, statusBtn]));

    ui.cats = el("fieldset", { className: "utrecht-form-fieldset " +
      "loket-console-cats", id: "categorieen" });
    box.appendChild(ui.cats);
    return box;
  }

  function fillAssignOptions() {
    var agents = data.agents.filter(function (a) { return a.active; })
      .map(function (a) {
        return ["agent:" + a.id, a.name + " (" + (PRESENCE[a.presence] ||
          a.presence) + ")"];
      });
    var teams = data.teams.map(function (t) {
      return ["team:" + t.id, t.name];
    });
    var opts = [["", "Kies…"], ["none", "Niemand (terug in de wachtrij)"]];
    if (agents.length) opts.push({ group: "Medewerkers", options: agents });
    if (teams.length) opts.push({ group: "Teams", options: teams });
    var v = ui.assignSel.value;
    var s = select("assign", opts);
    clear(ui.assignSel);
    while (s.firstChild) ui.assignSel.appendChild(s.firstChild);
    ui.assignSel.value = v;
  }

  function fillCategories() {
    clear(ui.cats);
    ui.cats.appendChild(el("legend", { className: "utrecht-form-fieldset__" +
      "legend", text: "Categorieën" }));
    if (!data.categories.length) {
      ui.cats.appendChild(el("p", { className: "utrecht-paragraph " +
        "loket-muted", text: "Er zijn geen categorieën." }));
      return;
    }
    var chosen = {};
    ((cur.conv && cur.conv.categories) || []).forEach(function (c) {
      chosen[c.id] = true;
    });
    data.categories.forEach(function (c) {
      var id = "cat-" + c.id;
      var box = el("input", { type: "checkbox", id: id, value: c.id,
        className: "utrecht-checkbox utrecht-checkbox--html-input" });
      box.checked = !!chosen[c.id];
      ui.cats.appendChild(el("div", { className: "loket-console-check" }, [
        box, el("label", { "for": id, text: c.name })]));
    });
    var save = button("Categorieën opslaan", "secondary-action",
      { id: "categorieen-knop" });
    save.addEventListener("click", saveCategories);
    ui.cats.appendChild(save);
  }

  function buildReply() {
    var form = el("form", { id: "antwoord-form", className: "utrecht-form " +
      "loket-console-reply" });
    var kind = el("fieldset", { className: "utrecht-form-fieldset " +
      "loket-console-kind" }, [el("legend", { className:
      "utrecht-form-fieldset__legend", text: "Soort" })]);
    ui.kindReply = el("input", { type: "radio", name: "soort",
      value: "reply", id: "soort-antwoord", checked: true,
      className: "utrecht-radio-button utrecht-radio-button--html-input" });
    ui.kindNote = el("input", { type: "radio", name: "soort",
      value: "note", id: "soort-notitie",
      className: "utrecht-radio-button utrecht-radio-button--html-input" });
    kind.appendChild(el("div", { className: "loket-console-check" }, [
      ui.kindReply, el("label", { "for": "soort-antwoord",
        text: "Antwoord aan inwoner" })]));
    kind.appendChild(el("div", { className: "loket-console-check" }, [
      ui.kindNote, el("label", { "for": "soort-notitie",
        text: "Interne notitie" })]));
    form.appendChild(kind);

    ui.canned = select("canned", [["", "Geen"]]);
    ui.canned.id = "standaardantwoord";
    ui.cannedField = field("Standaardantwoord", ui.canned);
    ui.cannedField.hidden = true;
    ui.canned.addEventListener("change", insertCanned);
    ui.canned.addEventListener("focus", loadCanned);
    form.appendChild(ui.cannedField);

    ui.text = el("textarea", { id: "antwoord", name: "content", rows: "5",
      className: "utrecht-textarea", "aria-describedby": "antwoord-hint" });
    ui.textLabel = el("label", { className: "utrecht-form-label",
      "for": "antwoord", text: "Antwoord" });
    form.appendChild(el("div", { className: "utrecht-form-field" }, [
      ui.textLabel,
      el("p", { id: "antwoord-hint", className: "utrecht-form-field-" +
        "description", text: "Ctrl + Enter verstuurt." }),
      ui.text]));
    ui.files = el("input", { type: "file", id: "bijlagen", multiple: true,
      className: "loket-console-file" });
    form.appendChild(field("Bijlagen", ui.files));
    ui.send = button("Versturen", "primary-action", { type: "submit",
      id: "versturen" });
    form.appendChild(el("div", { className: "utrecht-button-group" },
      [ui.send]));
    ui.replyStatus = el("p", { className: "loket-muted", role: "status" });
    form.appendChild(ui.replyStatus);

    function kindChanged() {
      var note = ui.kindNote.checked;
      ui.textLabel.textContent = note ? "Interne notitie" : "Antwoord";
      ui.send.textContent = note ? "Notitie opslaan" : "Versturen";
      form.classList.toggle("loket-console-reply--note", note);
    }
    ui.kindReply.addEventListener("change", kindChanged);
    ui.kindNote.addEventListener("change", kindChanged);
    ui.kindChanged = kindChanged;
    ui.text.addEventListener("keydown", function (e) {
      if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
        e.preventDefault();
        send();
      }
    });
    ui.text.addEventListener("input", typingNow);
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      send();
    });
    return form;
  }

  function focusReply(note) {
    if (!cur.conv) return;
    (note ? ui.kindNote : ui.kindReply).checked = true;
    ui.kindChanged();
    ui.text.focus();
  }

  function insertText(text) {
    var s = ui.text.selectionStart || 0;
    var e = ui.text.selectionEnd || s;
    ui.text.value = ui.text.value.slice(0, s) + text + ui.text.value.slice(e);
    ui.text.focus();
    ui.text.selectionStart = ui.text.selectionEnd = s + text.length;
  }

  function insertCanned() {
    var id = ui.canned.value;
    if (!id || !cur.id) return;
    ui.canned.value = "";
    api("GET", "/api/v1/canned-answers/" + encodeURIComponent(id) +
        "/render" + q({ conversationId: cur.id })).then(function (r) {
      insertText(r.text);
      if (r.empty && r.empty.length)
        ui.replyStatus.textContent = "Niet ingevuld: " + r.empty.join(", ") +
          ". Vul dat zelf aan.";
    }, function (err) { showError(ui.convError, err); });
  }

  function typingNow() {
    if (!cur.conv || ui.kindNote.checked) return;
    var now = Date.now();
    if (now - typingSent < 3000) return;
    typingSent = now;
    if (cur.conv.channel === "chat") {
      api("POST", "/api/v1/chats/" + encodeURIComponent(cur.id) +
          "/typing").catch(function () {});
    }
    colleagueSignal("typing");
  }

  function upload(file) {
    return api("POST", "/api/v1/attachments" + q({ filename: file.name }),
      file, { "Content-Type": file.type || "application/octet-stream" })
      .then(function (a) { return a.id; });
  }

  function send() {
    var text = ui.text.value;
    var note = ui.kindNote.checked;
    var id = cur.id;
    var files = Array.prototype.slice.call(ui.files.files || []);
    if (!id || (!text.trim() && !files.length) || ui.send.disabled) return;
    if (!text.trim()) {
      ui.replyStatus.textContent = "Schrijf ook een tekst bij de bijlage.";
      return;
    }
    ui.send.disabled = true;
    ui.replyStatus.textContent = "Bezig met versturen…";
    Promise.all(files.map(upload)).then(function (ids) {
      var body = { content: text };
      if (ids.length) body.attachmentIds = ids;
      if (!note) body.direction = "outbound";
      return api("POST", "/api/v1/conversations/" + encodeURIComponent(id) +
        (note ? "/notes" : "/messages"), body);
    }).then(function () {
      ui.text.value = "";
      ui.files.value = "";
      ui.replyStatus.textContent = note ? "Notitie opgeslagen." :
        "Antwoord verstuurd.";
      hideError(ui.convError);
      return loadConversation(id, true);
    }, function (err) {
      ui.replyStatus.textContent = "";
      showError(ui.convError, err);
    }).then(function () {
      ui.send.disabled = false;
    });
  }

  function claim() {
    if (!cur.id) return;
    api("POST", "/api/v1/conversations/" + encodeURIComponent(cur.id) +
        "/claim", {}).then(function () {
      announce("U hebt het gesprek opgepakt.");
      hideError(ui.convError);
      loadConversation(cur.id, true);
      loadInbox();
    }, function (err) {
      if (err.status === 409 && err.problem.assigneeName)
        err.message = "Dit gesprek is al opgepakt door " +
          err.problem.assigneeName + ".";
      showError(ui.convError, err);
    });
  }

  function assign() {
    var v = ui.assignSel.value;
    var body;
    if (!cur.id || !v) return;
    if (v === "none") body = { assigneeId: null };
    else if (v.indexOf("agent:") === 0) body = { assigneeId: v.slice(6) };
    else body = { assigneeId: null, teamId: v.slice(5) };
    api("POST", "/api/v1/conversations/" + encodeURIComponent(cur.id) +
        "/assignment", body).then(function () {
      announce("Toewijzing opgeslagen.");
      hideError(ui.convError);
      ui.assignSel.value = "";
      loadConversation(cur.id, true);
      loadInbox();
    }, function (err) { showError(ui.convError, err); });
  }

  function patch(body, what) {
    body.version = cur.conv.version;
    return api("PATCH", "/api/v1/conversations/" +
      encodeURIComponent(cur.id), body).then(function () {
      announce(what + " opgeslagen.");
      hideError(ui.convError);
      loadConversation(cur.id, true);
      loadInbox();
    }, function (err) {
      if (err.status === 412)
        err.message = "Het gesprek is intussen gewijzigd; het is opnieuw " +
          "geladen. Probeer het nog eens.";
      showError(ui.convError, err);
      loadConversation(cur.id, true);
    });
  }

  function saveStatus() {
    var body = { status: ui.statusSel.value };
    if (!cur.conv) return;
    if (body.status === "snoozed") {
      var t = new Date(ui.snooze.value).getTime();
      if (!t || t <= Date.now()) {
        showError(ui.convError, "kies een tijd in de toekomst om tot te " +
          "sluimeren.");
        ui.snooze.focus();
        return;
      }
      body.snoozedUntil = t;
    }
    patch(body, "Status");
  }

  function saveCategories() {
    var ids = [];
    Array.prototype.forEach.call(ui.cats.querySelectorAll(
      "input[type=checkbox]"), function (c) {
      if (c.checked) ids.push(c.value);
    });
    if (cur.conv) patch({ categories: ids }, "Categorieën");
  }

  function openConversation(id) {
    if (cur.id !== id) {
      if (cur.id) colleagueSignal("left");
      cur.id = id;
      cur.conv = null;
      ui.text.value = "";
      ui.files.value = "";
      ui.replyStatus.textContent = "";
      ui.kindReply.checked = true;
      ui.kindChanged();
      clear(ui.timeline);
      clear(ui.presence);
      clear(ui.typing);
      hideError(ui.convError);
    }
    renderInbox();
    return loadConversation(id, false).then(function () {
      ui.convHead.focus();
    });
  }

  /* The conversation with its whole timeline: the API pages messages by
   * 100 (messagesNext); up to 20 pages are followed. */
  function fullConversation(id) {
    var base = "/api/v1/conversations/" + encodeURIComponent(id);
    return api("GET", base + "?limit=100").then(function (c) {
      var pages = 1;
      function more(next) {
        if (!next || pages >= 20) return c;
        pages++;
        return api("GET", base + q({ limit: 100, after: next }))
          .then(function (p) {
            c.messages = c.messages.concat(p.messages || []);
            return more(p.messagesNext);
          });
      }
      return more(c.messagesNext);
    });
  }

  /* The open conversation counts as read only while the agent can see
   * it: in a hidden tab new messages stay unread until it shows again. */
  function readNow() {
    var c = cur.conv;
    if (!c || document.hidden || ui.layout.hidden) return;
    seen[c.id] = Math.max(seen[c.id] || 0, c.lastMessageAt || 0);
    saveSeen();
    if (inbox.unread[c.id]) inbox.unread[c.id] = 0;
    markRead(c.id);
  }

  document.addEventListener("visibilitychange", function () {
    if (!document.hidden && cur.conv) {
      readNow();
      renderInbox();
    }
  });

  function loadConversation(id, quiet) {
    var n = ++loads.conv;
    return fullConversation(id).then(function (c) {
      if (cur.id !== id || n !== loads.conv) return null;
      cur.conv = c;
      readNow();
      renderConversation();
      renderInbox();
      if (!quiet) colleagueSignal("viewing");
      var party = c.party && c.party.id;
      if (!party) {
        cur.card = null;
        cur.timeline = [];
        renderCard();
        renderTimeline();
        return null;
      }
      return Promise.all([
        api("GET", "/api/v1/parties/" + encodeURIComponent(party)),
        api("GET", "/api/v1/parties/" + encodeURIComponent(party) +
            "/timeline?limit=100")
      ]).then(function (r) {
        if (cur.id !== id || n !== loads.conv) return;
        cur.card = r[0];
        cur.timeline = r[1].items || [];
        renderCard();
        renderTimeline();
      });
    }, function (err) {
      if (cur.id !== id || n !== loads.conv) return;
      ui.convHead.textContent = "Gesprek niet gevonden";
      ui.convBody.hidden = true;
      showError(ui.convError, err);
    });
  }

  function renderConversation() {
    var c = cur.conv;
    ui.convHead.textContent = (c.subject || "(geen onderwerp)") + " – " +
      c.reference;
    clear(ui.convMeta);
    ui.convMeta.appendChild(document.createTextNode(
      (CHANNEL[c.channel] || c.channel) + " · " +
      (STATUS[c.status] || c.status) +
      (c.status === "snoozed" && c.snoozedUntil ? " tot " +
        when(c.snoozedUntil) : "") + " · " +
      (c.party ? c.party.name : "") + " · " +
      (c.assigneeId ? "behandelaar: " + (agentName(c.assigneeId) ||
        c.assigneeId) : "niet toegewezen") +
      (c.teamId ? " · team: " + (teamName(c.teamId) || c.teamId) : "")));
    ui.convBody.hidden = false;
    ui.claim.hidden = !!c.assigneeId && c.assigneeId === me.actorId;
    ui.claim.disabled = !me.actorId;
    /* A reload (after an event) keeps what the agent is choosing, unless
     * the conversation itself changed that part meanwhile. */
    var cats = (c.categories || []).map(function (x) { return x.id; })
      .join(",");
    if (ui.shown !== c.id || ui.shownStatus !== c.status) {
      ui.statusSel.value = c.status;
      ui.snoozeField.hidden = c.status !== "snoozed";
    }
    if (ui.shown !== c.id || ui.shownCats !== cats) fillCategories();
    ui.shown = c.id;
    ui.shownStatus = c.status;
    ui.shownCats = cats;
  }

  function attachmentList(list) {
    if (!list || !list.length) return null;
    var ul = el("ul", { className: "loket-attachments" });
    list.forEach(function (a) {
      ul.appendChild(el("li", null, [el("a", { className: "utrecht-link",
        href: "/api/v1/attachments/" + encodeURIComponent(a.id) + "/content",
        download: "", text: a.filename }), " (" + Math.max(1,
        Math.round(a.size / 1024)) + " kB)"]));
    });
    return ul;
  }

  /* One timeline: the open conversation's messages in full, and the
   * resident's contacts in other conversations (any channel) as previews
   * linking to them; oldest first. */
  function renderTimeline() {
    var items = [];
    var c = cur.conv;
    if (!c) return;
    (c.messages || []).forEach(function (m) {
      items.push({ own: true, m: m, at: m.occurredAt });
    });
    (cur.timeline || []).forEach(function (t) {
      if (t.conversationId !== c.id) items.push({ own: false, m: t,
        at: t.occurredAt });
    });
    items.sort(function (a, b) { return a.at - b.at; });
    clear(ui.timeline);
    items.forEach(function (it) {
      var m = it.m;
      var li = el("li", { className: "loket-timeline__item loket-timeline__" +
        "item--" + m.kind + (it.own ? "" : " loket-timeline__item--other"),
        id: it.own ? "bericht-" + m.id : null });
      var head = el("p", { className: "loket-timeline__head" }, [
        el("strong", { text: KIND[m.kind] || m.kind }),
        " · " + (CHANNEL[m.channel] || m.channel) + " · ",
        el("time", { datetime: iso(m.occurredAt), text: when(m.occurredAt) })
      ]);
      if (m.authorId && agentName(m.authorId))
        head.appendChild(document.createTextNode(" · " +
          agentName(m.authorId)));
      if (!it.own) {
        head.appendChild(document.createTextNode(" · "));
        head.appendChild(el("a", { className: "utrecht-link",
          href: "#/gesprek/" + encodeURIComponent(m.conversationId),
          text: "ander gesprek" }));
      }
      li.appendChild(head);
      if (m.subject && (!it.own || m.subject !== c.subject))
        li.appendChild(el("p", { className: "loket-timeline__subject",
          text: m.subject }));
      li.appendChild(linkify(el("p", { className: "loket-timeline__text" }),
        it.own ? m.content : m.preview));
      li.appendChild(attachmentList(m.attachments) ||
        document.createTextNode(""));
      ui.timeline.appendChild(li);
    });
  }

  /* ---- the resident card ------------------------------------------------- */

  function buildCard() {
    var aside = el("aside", { id: "kaart", className: "loket-console-card",
      "aria-labelledby": "kaart-kop" });
    aside.appendChild(el("h2", { id: "kaart-kop", className:
      "utrecht-heading-2", text: "Inwoner" }));
    ui.card = el("div", { id: "kaart-inhoud" });
    aside.appendChild(ui.card);
    ui.layout.appendChild(aside);
  }

  function addressText(a) {
    if (!a || typeof a !== "object") return "";
    var parts = [];
    Object.keys(a).forEach(function (k) {
      var v = a[k];
      if (v === null || v === undefined || v === "") return;
      if (typeof v === "object") return;
      parts.push(String(v));
    });
    return parts.join(" ");
  }

  function dl(rows) {
    var list = el("dl", { className: "utrecht-data-list loket-console-dl" });
    rows.forEach(function (r) {
      if (r[1] === null || r[1] === undefined || r[1] === "") return;
      list.appendChild(el("div", { className: "utrecht-data-list__item" }, [
        el("dt", { className: "utrecht-data-list__item-key", text: r[0] }),
        el("dd", { className: "utrecht-data-list__item-value" },
          [typeof r[1] === "string" ? r[1] : r[1]])]));
    });
    return list;
  }

  function renderCard() {
    var p = cur.card;
    clear(ui.card);
    if (!p) {
      ui.card.appendChild(el("p", { className: "utrecht-paragraph " +
        "loket-muted", text: "Geen inwoner bekend." }));
      return;
    }
    ui.card.appendChild(el("p", { className: "loket-console-name",
      text: p.name || "(geen naam)" }));
    ui.card.appendChild(dl([
      ["Nummer", p.nummer || ""],
      ["Bezoekadres", addressText(p.visitingAddress)],
      ["Postadres", addressText(p.postalAddress)],
      ["Gesprekken", String(p.conversationCount || 0)],
      ["Geheimhouding", p.confidential ? "ja" : ""]
    ]));
    var addrs = p.digitalAddresses || [];
    ui.card.appendChild(el("h3", { className: "utrecht-heading-3",
      text: "Adressen" }));
    if (!addrs.length) {
      ui.card.appendChild(el("p", { className: "loket-muted",
        text: "Geen." }));
    } else {
      var ul = el("ul", { className: "utrecht-unordered-list",
        id: "kaart-adressen" });
      addrs.forEach(function (a) {
        ul.appendChild(el("li", { text: (a.kind || a.soortDigitaalAdres ||
          "") + ": " + (a.address || a.adres || "") +
          (a.verified ? " (geverifieerd)" : " (niet geverifieerd)") }));
      });
      ui.card.appendChild(ul);
    }
    ui.card.appendChild(el("h3", { className: "utrecht-heading-3",
      text: "Eerdere contacten" }));
    var rc = p.recentConversations || [];
    if (!rc.length) {
      ui.card.appendChild(el("p", { className: "loket-muted",
        text: "Geen." }));
    } else {
      var ol = el("ul", { className: "utrecht-unordered-list",
        id: "kaart-contacten" });
      rc.forEach(function (r) {
        ol.appendChild(el("li", null, [el("a", { className: "utrecht-link",
          href: "#/gesprek/" + encodeURIComponent(r.id),
          text: (r.reference || "") + " " + (r.subject || "") }),
          " · " + (CHANNEL[r.channel] || r.channel || "") + " · " +
          (STATUS[r.status] || r.status || "")]));
      });
      ui.card.appendChild(ol);
    }
    ui.card.appendChild(el("h3", { className: "utrecht-heading-3",
      text: "Open taken" }));
    var tasks = p.openTasks || [];
    if (!tasks.length) {
      ui.card.appendChild(el("p", { className: "loket-muted",
        text: "Geen." }));
    } else {
      var tl = el("ul", { className: "utrecht-unordered-list",
        id: "kaart-taken" });
      tasks.forEach(function (t) {
        tl.appendChild(el("li", { text: (t.action || t.gevraagdeHandeling ||
          "") + (t.deadline ? " · uiterlijk " + when(t.deadline) : "") }));
      });
      ui.card.appendChild(tl);
    }
  }

  /* ---- the callback queue ------------------------------------------------ */

  function buildCallbacks() {
    var sec = el("section", { id: "terugbellen", className:
      "loket-console-callbacks", "aria-labelledby": "terugbellen-kop",
      hidden: true });
    sec.appendChild(el("h2", { id: "terugbellen-kop", tabindex: "-1",
      className: "utrecht-heading-2", text: "Terugbelwachtrij" }));
    sec.appendChild(el("p", { className: "utrecht-paragraph loket-muted",
      text: "Op volgorde van het gekozen tijdvak." }));
    ui.cbError = el("div", { className: "utrecht-alert utrecht-alert--error",
      role: "alert", hidden: true });
    sec.appendChild(ui.cbError);
    ui.cbList = el("ol", { id: "terugbel-lijst", className:
      "loket-console-list loket-callbacks" });
    sec.appendChild(ui.cbList);
    ui.cbEmpty = el("p", { className: "utrecht-paragraph loket-muted",
      text: "Er staat niemand in de wachtrij.", hidden: true });
    sec.appendChild(ui.cbEmpty);
    ui.cbMore = el("p", { id: "terugbel-meer", className: "utrecht-paragraph " +
      "loket-muted", text: "Er staan meer verzoeken in de wachtrij, met " +
      "latere tijdvakken; ze verschijnen hier zodra deze zijn afgehandeld.",
      hidden: true });
    sec.appendChild(ui.cbMore);
    root.appendChild(sec);
    ui.callbacks = sec;
  }

  function loadCallbacks() {
    return api("GET", "/api/v1/callbacks?status=open&limit=100").then(
      function (r) {
        renderCallbacks(r.items || [], !!r.next);
      }, function (err) { showError(ui.cbError, err); });
  }

  function contextView(ctx) {
    var box = el("div", { className: "loket-callback__context" });
    if (!ctx || typeof ctx !== "object") return box;
    if (ctx.transcript && ctx.transcript.length) {
      box.appendChild(el("h4", { className: "utrecht-heading-4",
        text: "Chat tot nu toe" }));
      var ol = el("ol", { className: "loket-transcript" });
      ctx.transcript.forEach(function (t) {
        var li = el("li", null, [el("strong", { text: t.from === "agent" ?
          "Medewerker: " : "Inwoner: " })]);
        linkify(li, t.text);
        ol.appendChild(li);
      });
      box.appendChild(ol);
    }
    if (ctx.fields && typeof ctx.fields === "object") {
      box.appendChild(el("h4", { className: "utrecht-heading-4",
        text: "Ingevuld in het formulier" }));
      box.appendChild(dl(Object.keys(ctx.fields).map(function (k) {
        var v = String(ctx.fields[k]);
        if (k === "categorie") {
          data.categories.forEach(function (c) {
            if (c.id === v) v = c.name;
          });
        }
        return [k, v];
      })));
    }
    return box;
  }

  /* The queue shows the first 100 by slot, the most urgent; when there
   * are more the count says so. */
  function callbackCount(items, more) {
    document.getElementById("terugbel-aantal").textContent =
      items.length ? "(" + items.length + (more ? "+" : "") + ")" : "";
  }

  function renderCallbacks(items, more) {
    var focusedId = document.activeElement &&
      document.activeElement.getAttribute("data-callback");
    clear(ui.cbList);
    ui.cbEmpty.hidden = items.length > 0;
    ui.cbMore.hidden = !more;
    callbackCount(items, more);
    items.forEach(function (cb) {
      var li = el("li", { className: "loket-callback", id: "terugbel-" +
        cb.id });
      var slot = el("p", { className: "loket-callback__slot" }, [
        el("time", { datetime: iso(cb.slotStart), text: when(cb.slotStart) }),
        " – ",
        el("time", { datetime: iso(cb.slotEnd), text: when(cb.slotEnd) })
      ]);
      li.appendChild(el("h3", { className: "utrecht-heading-3",
        text: (cb.residentName || "(geen naam)") }));
      li.appendChild(slot);
      var digits = String(cb.phone || "").replace(/[^0-9+]/g, "");
      li.appendChild(dl([
        ["Telefoon", digits ? el("a", { className: "utrecht-link",
          href: "tel:" + digits, text: cb.phone }) : cb.phone],
        ["Gesprek", el("a", { className: "utrecht-link", href: "#/gesprek/" +
          encodeURIComponent(cb.conversationId), text: cb.reference })],
        ["Bron", cb.source === "chat" ? "Chat" : "Formulier"],
        ["Pogingen", String(cb.attempts || 0)],
        ["Vorige uitkomst", cb.outcome ? (OUTCOME[cb.outcome] || cb.outcome) +
          (cb.outcomeNote ? ": " + cb.outcomeNote : "") : ""]
      ]));
      li.appendChild(contextView(cb.context));
      var form = el("form", { className: "loket-callback__outcome",
        "aria-label": "Uitkomst van het gesprek met " +
          (cb.residentName || "de inwoner") });
      var sel = select("outcome", [["reached", OUTCOME.reached],
        ["not_reached", OUTCOME.not_reached],
        ["voicemail", OUTCOME.voicemail]], "reached");
      sel.id = "uitkomst-" + cb.id;
      var note = el("input", { type: "text", id: "uitkomst-notitie-" + cb.id,
        className: "utrecht-textbox", maxlength: "1000" });
      var go = button("Uitkomst vastleggen", "primary-action",
        { type: "submit", "data-callback": cb.id });
      form.appendChild(el("div", { className: "loket-console-row" }, [
        field("Uitkomst", sel), field("Notitie", note, "loket-console-wide"),
        go]));
      form.addEventListener("submit", function (e) {
        e.preventDefault();
        go.disabled = true;
        var body = { outcome: sel.value };
        if (note.value.trim()) body.note = note.value;
        api("POST", "/api/v1/callbacks/" + encodeURIComponent(cb.id) +
            "/outcome", body).then(function () {
          announce("Uitkomst vastgelegd: " + OUTCOME[sel.value] + ".");
          hideError(ui.cbError);
          return loadCallbacks();
        }, function (err) {
          go.disabled = false;
          showError(ui.cbError, err);
        });
      });
      li.appendChild(form);
      ui.cbList.appendChild(li);
    });
    if (focusedId) {
      var back = ui.cbList.querySelector("[data-callback='" +
        CSS.escape(focusedId) + "']");
      (back || ui.cbList.querySelector("button") ||
       document.getElementById("terugbellen-kop")).focus();
    }
  }

  /* ---- colleagues in the same conversation ------------------------------- */

  /* Tells the server this staff member views (or types in, or left) the
   * open conversation (docs/console-api.md): on opening, every 10 s while
   * it stays open, and when typing starts or stops.  Colleagues' consoles
   * hear it as console.viewing. */
  var viewing = { id: null, state: null, timer: null, typingTimer: null };

  function viewerUrl(id) {
    return "/api/v1/conversations/" + encodeURIComponent(id) + "/viewers";
  }

  function colleagueSignal(what) {
    if (!data.consoleApi) return;
    if (what === "left") {
      if (viewing.id)
        api("DELETE", viewerUrl(viewing.id) + "/me").catch(function () {});
      clearInterval(viewing.timer);
      viewing.id = null;
      viewing.state = null;
      return;
    }
    if (!cur.id) return;
    if (what === "typing") {
      clearTimeout(viewing.typingTimer);
      viewing.typingTimer = setTimeout(function () {
        colleagueSignal("viewing");
      }, 5000);
    }
    if (viewing.id === cur.id && viewing.state === what) return;
    viewing.id = cur.id;
    viewing.state = what;
    api("PUT", viewerUrl(cur.id) + "/me", { state: what })
      .catch(function () {});
    clearInterval(viewing.timer);
    viewing.timer = setInterval(function () {
      if (viewing.id && !document.hidden) {
        api("PUT", viewerUrl(viewing.id) + "/me", { state: viewing.state })
          .catch(function () {});
        /* a colleague's renewals send no event: read them now and then */
        loadViewers();
      }
    }, 10000);
  }

  function loadViewers() {
    var id = cur.id;
    if (!data.consoleApi || !id) return;
    api("GET", viewerUrl(id)).then(function (r) {
      if (cur.id !== id) return;
      colleagues = {};
      (r.items || []).forEach(function (v) {
        if (me.user && v.userId === me.user.id) return;
        colleagues[v.userId] = { conversationId: id, name: v.name ||
          "Een collega", state: v.state, until: v.expiresAt || 0 };
      });
      renderColleagues();
    }, function () {});
  }

  function renderColleagues() {
    clear(ui.presence);
    var now = Date.now();
    var names = [];
    var typing = [];
    Object.keys(colleagues).forEach(function (k) {
      var c = colleagues[k];
      if (c.conversationId !== cur.id || c.until < now) return;
      (c.state === "typing" ? typing : names).push(c.name);
    });
    if (typing.length)
      ui.presence.textContent = typing.join(", ") + " typt in dit gesprek.";
    else if (names.length)
      ui.presence.textContent = names.join(", ") + " bekijkt dit gesprek.";
  }

  /* ---- routing ----------------------------------------------------------- */

  function route() {
    var h = location.hash || "#/";
    var m = /^#\/gesprek\/([0-9a-fA-F-]{36})$/.exec(h);
    if (h === "#/terugbellen") {
      colleagueSignal("left");
      ui.layout.hidden = true;
      ui.callbacks.hidden = false;
      setCurrentNav("nav-terugbellen");
      loadCallbacks().then(function () {
        document.getElementById("terugbellen-kop").focus();
      });
      return;
    }
    ui.layout.hidden = false;
    ui.callbacks.hidden = true;
    setCurrentNav(null);
    if (m) {
      openConversation(m[1].toLowerCase());
    } else if (h === "#/") {
      closeConversation();
      renderInbox();
    }
  }

  /* The inbox alone: no conversation open, so colleagues no longer see
   * this agent in one. */
  function closeConversation() {
    if (!cur.id) return;
    colleagueSignal("left");
    cur.id = null;
    cur.conv = null;
    cur.card = null;
    cur.timeline = [];
    ui.shown = null;
    ui.convHead.textContent = "Geen gesprek gekozen";
    clear(ui.convMeta);
    clear(ui.timeline);
    clear(ui.presence);
    clear(ui.typing);
    hideError(ui.convError);
    ui.convBody.hidden = true;
    renderCard();
  }

  function setCurrentNav(id) {
    var nav = document.getElementById("console-nav");
    if (!nav) return;
    Array.prototype.forEach.call(nav.querySelectorAll("a"), function (a) {
      var on = id ? a.id === id : a.getAttribute("href") === "#/";
      if (on) a.setAttribute("aria-current", "page");
      else a.removeAttribute("aria-current");
    });
  }

  /* ---- help and keys ----------------------------------------------------- */

  function buildHelp() {
    var d = el("dialog", { id: "hulp", className: "loket-console-help",
      "aria-labelledby": "hulp-kop" });
    d.appendChild(el("h2", { id: "hulp-kop", className: "utrecht-heading-2",
      text: "Sneltoetsen" }));
    var table = el("table", { className: "loket-console-keys" });
    table.appendChild(el("thead", null, [el("tr", null, [
      el("th", { scope: "col", text: "Toets" }),
      el("th", { scope: "col", text: "Wat" })])]));
    var tb = el("tbody");
    HELP.forEach(function (r) {
      tb.appendChild(el("tr", null, [el("td", null, [el("kbd",
        { text: r[0] })]), el("td", { text: r[1] })]));
    });
    table.appendChild(tb);
    d.appendChild(table);
    d.appendChild(el("p", { className: "utrecht-paragraph", text:
      "Lettertoetsen werken niet terwijl u in een tekstvak typt. Met Tab " +
      "bereikt u elke knop; Enter of spatie kiest." }));
    var on = el("input", { type: "checkbox", id: "sneltoetsen-aan",
      className: "utrecht-checkbox utrecht-checkbox--html-input" });
    on.checked = keysOn();
    on.addEventListener("change", function () {
      try {
        localStorage.setItem(KEYS_KEY, on.checked ? "on" : "off");
      } catch (e) {
        /* not kept */
      }
    });
    d.appendChild(el("div", { className: "loket-console-check" }, [on,
      el("label", { "for": "sneltoetsen-aan",
        text: "Sneltoetsen met één letter aan" })]));
    var close = button("Sluiten", "primary-action", { id: "hulp-sluiten" });
    close.addEventListener("click", function () { d.close(); });
    d.appendChild(el("div", { className: "utrecht-button-group" }, [close]));
    document.body.appendChild(d);
    ui.help = d;
  }

  function openHelp() {
    if (ui.help.open) {
      ui.help.close();
      return;
    }
    if (ui.help.showModal) ui.help.showModal();
    else ui.help.setAttribute("open", "");
    document.getElementById("hulp-sluiten").focus();
  }

  function inField(t) {
    if (!t || !t.tagName) return false;
    var n = t.tagName.toLowerCase();
    return n === "input" || n === "textarea" || n === "select" ||
      t.isContentEditable;
  }

  document.addEventListener("keydown", function (e) {
    if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey) return;
    if (e.key === "Escape" && inField(e.target) &&
        !(ui.help && ui.help.open)) {
      var to = cur.conv && !ui.layout.hidden ? ui.convHead :
        ui.layout.hidden ? document.getElementById("terugbellen-kop") :
        document.getElementById("inbox-kop");
      e.preventDefault();
      to.focus();
      return;
    }
    if (e.key === "?" && !inField(e.target)) {
      e.preventDefault();
      openHelp();
      return;
    }
    if (inField(e.target) || !keysOn() || (ui.help && ui.help.open)) return;
    switch (e.key) {
    case "/":
      e.preventDefault();
      if (location.hash === "#/terugbellen") location.hash = "#/";
      ui.search.focus();
      break;
    case "j":
      e.preventDefault();
      moveInbox(1);
      break;
    case "k":
      e.preventDefault();
      moveInbox(-1);
      break;
    case "i":
      e.preventDefault();
      if (location.hash === "#/terugbellen") location.hash = "#/";
      moveInbox(0);
      break;
    case "t":
      e.preventDefault();
      location.hash = "#/terugbellen";
      break;
    case "r":
    case "n":
      if (!cur.conv || ui.layout.hidden) return;
      e.preventDefault();
      focusReply(e.key === "n");
      break;
    case "o":
      if (!cur.conv || ui.layout.hidden) return;
      e.preventDefault();
      claim();
      break;
    default:
      break;
    }
  });

  /* ---- the event stream -------------------------------------------------- */

  function mine(ev) {
    return ev && ev.data ? ev.data : {};
  }

  function refreshSoon() {
    debounce("inbox", loadInbox, 250);
    debounce("counts", loadCounts, 1000);
    if (!ui.callbacks.hidden) debounce("callbacks", loadCallbacks, 250);
  }

  function onEvent(type, raw) {
    var ev;
    try {
      ev = JSON.parse(raw);
    } catch (e) {
      return;
    }
    var d = mine(ev);
    var conv = d.conversationId || (type.indexOf("conversation.") === 0 ?
      (d.id || ev.subject) : null);
    switch (type) {
    case "conversation.created":
      announce("Nieuw gesprek in de inbox.");
      refreshSoon();
      break;
    case "contact.added":
      if (d.kind === "inbound" && (conv !== cur.id || document.hidden)) {
        if (inbox.unread[conv] !== undefined) inbox.unread[conv]++;
        announce("Nieuw bericht van een inwoner.");
      } else if (d.kind === "inbound") {
        announce("Nieuw bericht in dit gesprek.");
      }
      refreshSoon();
      if (conv && conv === cur.id)
        debounce("conv", function () { loadConversation(cur.id, true); },
          150);
      break;
    case "conversation.assigned":
      if (d.assigneeId && d.assigneeId === me.actorId &&
          d.previousAssigneeId !== me.actorId)
        announce("Er is een gesprek aan u toegewezen.");
      refreshSoon();
      if (conv === cur.id)
        debounce("conv", function () { loadConversation(cur.id, true); },
          150);
      break;
    case "conversation.updated":
      refreshSoon();
      if (conv === cur.id)
        debounce("conv", function () { loadConversation(cur.id, true); },
          150);
      break;
    case "task.created":
    case "task.updated":
      if (!ui.callbacks.hidden) debounce("callbacks", loadCallbacks, 250);
      else debounce("cbcount", loadCallbackCount, 500);
      if (cur.conv) debounce("conv", function () {
        loadConversation(cur.id, true);
      }, 300);
      break;
    case "chat.typing":
      if (d.conversationId === cur.id && d.by === "resident") {
        ui.typing.textContent = "De inwoner typt…";
        debounce("typing", function () { ui.typing.textContent = ""; },
          5000);
      }
      break;
    case "chat.ended":
      if (d.conversationId === cur.id)
        announce("De inwoner heeft de chat beëindigd.");
      break;
    case "agent.updated":
      if (me.agent && (d.id === me.agent.id || ev.subject === me.agent.id) &&
          d.presence) {
        me.agent.presence = d.presence;
        var s = document.getElementById("aanwezigheid");
        if (s && s.value !== d.presence) s.value = d.presence;
      }
      debounce("agents", loadAgents, 500);
      break;
    case "console.viewing":
      onColleague(type, ev, d);
      break;
    default:
      break;
    }
  }

  function onColleague(type, ev, d) {
    var conv = d.conversationId || ev.subject;
    if (me.user && d.userId === me.user.id) return;
    if (conv === cur.id) debounce("viewers", loadViewers, 100);
  }

  var STREAM_TYPES = ["conversation.created", "conversation.updated",
    "conversation.assigned", "contact.added", "task.created", "task.updated",
    "chat.typing", "chat.read", "chat.ended", "agent.updated",
    "console.viewing"];
  var stream = null;
  var streamRetry = 1000;

  function connect() {
    stream = new EventSource("/api/v1/events");
    STREAM_TYPES.forEach(function (t) {
      stream.addEventListener(t, function (e) { onEvent(t, e.data); });
    });
    stream.onopen = function () {
      streamRetry = 1000;
      document.body.classList.remove("loket-console--offline");
      /* whatever happened while the stream was down */
      refreshSoon();
      if (cur.id) debounce("conv", function () {
        loadConversation(cur.id, true);
      }, 150);
    };
    stream.onerror = function () {
      document.body.classList.add("loket-console--offline");
      if (stream.readyState === EventSource.CLOSED) {
        stream = null;
        setTimeout(reconnect, streamRetry);
        streamRetry = Math.min(streamRetry * 2, 30000);
      }
    };
  }

  /* A refused stream is most often a session that ended (log-out
   * elsewhere, expiry): EventSource does not tell why, so ask the session
   * first; api() sends a 401 to /login, anything else retries. */
  function reconnect() {
    if (leaving) return;
    api("GET", "/api/v1/session").then(connect, function (err) {
      if (err && err.status !== 401 && !leaving) connect();
    });
  }

  /* ---- start ------------------------------------------------------------- */

  function loadAgents() {
    return api("GET", "/api/v1/agents?limit=100").then(function (r) {
      data.agents = r.items || [];
      fillAssignOptions();
    }, function () {});
  }

  function loadCallbackCount() {
    return api("GET", "/api/v1/callbacks?status=open&limit=100").then(
      function (r) {
        callbackCount(r.items || [], !!r.next);
      }, function () {});
  }

  /* The server's read mark (docs/console-api.md), when it keeps them;
   * without it the console remembers what it showed (`seen`). */
  function markRead(id) {
    if (!data.consoleApi) return;
    api("POST", "/api/v1/conversations/" + encodeURIComponent(id) + "/read",
      {}).then(function (r) {
      /* A chat's resident sees "Gelezen" up to this mark. */
      if (r && r.readSeq && cur.conv && cur.conv.id === id &&
          cur.conv.channel === "chat" && !document.hidden)
        api("POST", "/api/v1/chats/" + encodeURIComponent(id) + "/read",
          { seq: r.readSeq }).catch(function () {});
      inbox.unread[id] = 0;
      renderInbox();
      debounce("counts", loadCounts, 300);
    }, function () {});
  }

  function countText(c) {
    return c ? c.open + (c.more ? "+" : "") + " open, " + c.unread +
      (c.more ? "+" : "") + " ongelezen" : "";
  }

  function loadCounts() {
    if (!data.consoleApi) return Promise.resolve();
    return api("GET", "/api/v1/console/counts").then(function (c) {
      var box = document.getElementById("inbox-tellers");
      if (!box) return;
      clear(box);
      [["Mijn gesprekken", c.mine], ["Niet toegewezen", c.unassigned],
       ["Mijn teams", c.myTeams], ["Alle", c.all]].forEach(function (r) {
        if (!r[1]) return;
        box.appendChild(el("div", { className: "utrecht-data-list__item" }, [
          el("dt", { className: "utrecht-data-list__item-key",
            text: r[0] }),
          el("dd", { className: "utrecht-data-list__item-value",
            text: countText(r[1]) })]));
      });
    }, function () {});
  }

  /* Canned answers (docs/console-api.md): the list is read when the
   * picker gets focus; the chosen one is rendered by the server with the
   * conversation's placeholders filled and inserted as text. */
  function loadCanned() {
    if (!data.consoleApi) return Promise.resolve();
    return api("GET", "/api/v1/canned-answers?limit=100").then(function (r) {
      data.canned = r.items || [];
      var v = ui.canned.value;
      clear(ui.canned).appendChild(el("option", { value: "",
        text: "Kies een standaardantwoord…" }));
      data.canned.forEach(function (c) {
        ui.canned.appendChild(el("option", { value: c.id, text: c.title +
          (c.shortcut ? " (" + c.shortcut + ")" : "") }));
      });
      ui.canned.value = v;
      ui.cannedField.hidden = false;
    }, function () {});
  }

  /* The categories for the picker (docs/console-api.md), by name; up to
   * five pages of 100. */
  function loadCategories() {
    var all = [];
    function page(after, n) {
      return api("GET", "/api/v1/categories" + q({ limit: 100,
        after: after })).then(function (r) {
        all = all.concat(r.items || []);
        if (r.next && n < 5) return page(r.next, n + 1);
        data.categories = all;
        return null;
      });
    }
    return page("", 1).catch(function () { data.categories = all; });
  }

  function start() {
    api("GET", "/api/v1/session").then(function (s) {
      me.user = s.user;
      me.csrf = s.csrfToken;
      me.actorId = s.user.actorId || "";
      buildFrame();
      var agentP = me.actorId ? api("GET", "/api/v1/agents/" +
        encodeURIComponent(me.actorId)).then(function (a) {
        me.agent = a;
      }, function () { me.agent = null; }) : Promise.resolve();
      return Promise.all([
        agentP,
        api("GET", "/api/v1/teams?limit=100").then(function (r) {
          data.teams = r.items || [];
        }, function () {}),
        loadAgents(),
        loadCategories(),
        api("GET", "/api/v1/console/counts").then(function () {
          data.consoleApi = true;
        }, function () { data.consoleApi = false; })
      ]);
    }).then(function () {
      buildUser();
      fillFilterOptions();
      fillAssignOptions();
      return loadInbox();
    }).then(function () {
      loadCallbackCount();
      loadCounts();
      loadCanned();
      route();
      window.addEventListener("hashchange", route);
      connect();
      /* Closing the tab leaves the conversation at once (not after the
       * heartbeat's 30 s). */
      window.addEventListener("pagehide", function () {
        if (!viewing.id || !data.consoleApi || leaving) return;
        fetch(viewerUrl(viewing.id) + "/me", { method: "DELETE",
          credentials: "same-origin", keepalive: true,
          headers: { "X-CSRF-Token": me.csrf } }).catch(function () {});
      });
    }).catch(function (err) {
      if (err && err.status === 401) return;
      var nojs = document.getElementById("console-zonder-js");
      if (nojs) {
        clear(nojs).appendChild(el("p", { className: "utrecht-paragraph",
          text: "De console kon niet starten: " + (err && err.message ?
            err.message : String(err)) }));
      }
    });
  }

  start();
})();
