-- contact_post.lua - wrk script for bench/contact_post.sh: each request
-- creates a conversation with its first message (POST /api/v1/conversations)
-- from a new resident, over a rotating channel, with a Dutch subject and
-- text.  The token comes from $BENCH_TOKEN.
local token = os.getenv("BENCH_TOKEN") or ""
local channels = {"webformulier", "email", "chat", "telefoon", "post",
                  "social", "video", "kiosk", "balie"}
local subjects = {
  {"Container niet geleegd", "Onze grijze container is deze week niet geleegd."},
  {"Afspraak paspoort aanvragen", "Ik wil een afspraak maken voor een nieuw paspoort."},
  {"Bezwaar tegen parkeerboete", "Ik heb betaald via de app en toch een naheffing gekregen."},
  {"Vraag over WOZ-waarde", "De WOZ-waarde van mijn woning lijkt veel te hoog."},
  {"Lantaarnpaal kapot", "De lantaarnpaal voor ons huis brandt al twee weken niet."},
  {"Geluidsoverlast buren", "De bovenburen draaien elke nacht harde muziek."},
}
local counter = 0
local threads = {}

function setup(thread)
  counter = counter + 1
  thread:set("tid", counter)
  table.insert(threads, thread)
end

function init(args)
  n = 0
end

function request()
  n = n + 1
  local s = subjects[(n % #subjects) + 1]
  local ch = channels[(n % #channels) + 1]
  local body = string.format(
    '{"channel":"%s","subject":"%s","content":"%s Mijn kenmerk is %d-%d.",' ..
    '"from":{"name":"Bewoner %d-%d","email":"bewoner%d.%d@example.com"}}',
    ch, s[1], s[2], tid, n, tid, n, tid, n)
  return wrk.format("POST", "/api/v1/conversations",
                    {["Content-Type"] = "application/json",
                     ["Authorization"] = "Bearer " .. token}, body)
end
