/* demo_names.c - the lists behind `loket demo` (see demo_names.h).
 *
 * Message texts may hold placeholders the generator fills in: {straat},
 * {huisnr}, {plaats}, {datum}, {kenteken}, {zaak} and {naam}.
 */
#include "core/demo_names.h"
#include "core/party.h"

#include <stdio.h>
#include <string.h>

#define N(a) (sizeof(a) / sizeof(*(a)))

/* ---- random numbers ------------------------------------------------- */

static uint64_t splitmix64(uint64_t *x) {
  uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);

  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

void lk_rng_seed(lk_rng *r, uint64_t seed) {
  for (int i = 0; i < 4; i++)
    r->s[i] = splitmix64(&seed);
}

static uint64_t rotl(uint64_t x, int k) {
  return (x << k) | (x >> (64 - k));
}

uint64_t lk_rng_next(lk_rng *r) {
  uint64_t *s = r->s;
  uint64_t result = rotl(s[1] * 5, 7) * 9;
  uint64_t t = s[1] << 17;

  s[2] ^= s[0];
  s[3] ^= s[1];
  s[1] ^= s[2];
  s[0] ^= s[3];
  s[2] ^= t;
  s[3] = rotl(s[3], 45);
  return result;
}

uint64_t lk_rng_below(lk_rng *r, uint64_t n) {
  /* Lemire's multiply-shift; the tiny bias does not matter for demo data. */
  if (n == 0)
    return 0;
  return (uint64_t)(((unsigned __int128)lk_rng_next(r) * n) >> 64);
}

int64_t lk_rng_range(lk_rng *r, int64_t lo, int64_t hi) {
  if (hi <= lo)
    return lo;
  return lo + (int64_t)lk_rng_below(r, (uint64_t)(hi - lo) + 1);
}

int lk_rng_pct(lk_rng *r, int pct) {
  return (int)lk_rng_below(r, 100) < pct;
}

const char *lk_rng_pick(lk_rng *r, const char *const *list, size_t n) {
  return list[lk_rng_below(r, n)];
}

void lk_rng_uuid7(lk_rng *r, int64_t ms, char out[37]) {
  static const char hex[] = "0123456789abcdef";
  unsigned char b[16];
  uint64_t a = lk_rng_next(r);
  uint64_t c = lk_rng_next(r);
  int j = 0;

  for (int i = 0; i < 6; i++)
    b[i] = (unsigned char)((uint64_t)ms >> (40 - 8 * i));
  for (int i = 6; i < 16; i++)
    b[i] = (unsigned char)((i < 14 ? a : c) >> (8 * (i % 8)));
  b[6] = (unsigned char)(0x70 | (b[6] & 0x0f));
  b[8] = (unsigned char)(0x80 | (b[8] & 0x3f));
  for (int i = 0; i < 16; i++) {
    if (i == 4 || i == 6 || i == 8 || i == 10)
      out[j++] = '-';
    out[j++] = hex[b[i] >> 4];
    out[j++] = hex[b[i] & 15];
  }
  out[j] = '\0';
}

/* ---- BSN ------------------------------------------------------------ */

void lk_bsn_random(lk_rng *r, char out[10]) {
  for (;;) {
    int sum = 0;
    int check;

    out[0] = out[1] = out[2] = '9';
    for (int i = 3; i < 8; i++)
      out[i] = (char)('0' + lk_rng_below(r, 10));
    for (int i = 0; i < 8; i++)
      sum += (9 - i) * (out[i] - '0');
    check = sum % 11; /* the last digit must equal this */
    if (check == 10)
      continue;
    out[8] = (char)('0' + check);
    out[9] = '\0';
    return;
  }
}

/* ---- people and places ---------------------------------------------- */

static const char *const female[] = {
    "Anna",      "Emma",      "Sophie",   "Julia",   "Lotte",   "Sanne",
    "Lisa",      "Eva",       "Fleur",    "Noor",    "Tess",    "Sara",
    "Femke",     "Iris",      "Anouk",    "Marieke", "Linda",   "Ingrid",
    "Wilma",     "Annemarie", "Petra",    "Monique", "Esther",  "Ellen",
    "Yvonne",    "Karin",     "Margriet", "Hanneke", "Joke",    "Gerda",
    "Riet",      "Mieke",     "Truus",    "Ria",     "Nadia",   "Fatima",
    "Samira",    "Yasmina",   "Ilse",     "Mirjam",  "Renate",  "Suzanne",
    "Charlotte", "Maud",      "Romy",     "Zoë",     "Liv",     "Mila",
    "Nina",      "Roos",      "Jasmijn",  "Elif",    "Aylin",   "Dewi",
    "Chantal",   "Naomi",     "Lieke",    "Bente",   "Marloes", "Annelies"};

static const char *const male[] = {
    "Jan",     "Piet",    "Kees",   "Henk",   "Gerrit", "Willem",  "Johan",
    "Hans",    "Peter",   "Mark",   "Dennis", "Sander", "Thomas",  "Daan",
    "Lucas",   "Sem",     "Finn",   "Bram",   "Jesse",  "Ruben",   "Tim",
    "Niels",   "Martijn", "Bas",    "Erik",   "Arjen",  "Wouter",  "Joost",
    "Maarten", "Rob",     "Frank",  "Ad",     "Cor",    "Theo",    "Bert",
    "Harm",    "Klaas",   "Sjoerd", "Jeroen", "Stefan", "Mohamed", "Ahmed",
    "Youssef", "Mehmet",  "Emre",   "Rachid", "Noah",   "Levi",    "Milan",
    "Jayden",  "Luuk",    "Thijs",  "Stijn",  "Koen",   "Rik",     "Gijs",
    "Floris",  "Hidde",   "Teun",   "Pim"};

/* Surnames with their tussenvoegsel, as they occur: "de Jong", not
 * "van der Jansen".  The tussenvoegsel is every word before the first
 * capitalised one. */
static const char *const surnames[] = {"de Jong",
                                       "Jansen",
                                       "de Vries",
                                       "van den Berg",
                                       "van Dijk",
                                       "Bakker",
                                       "Janssen",
                                       "Visser",
                                       "Smit",
                                       "Meijer",
                                       "de Boer",
                                       "Mulder",
                                       "de Groot",
                                       "Bos",
                                       "Vos",
                                       "Peters",
                                       "Hendriks",
                                       "van Leeuwen",
                                       "Dekker",
                                       "Brouwer",
                                       "de Wit",
                                       "Dijkstra",
                                       "Smits",
                                       "de Graaf",
                                       "van der Meer",
                                       "van der Linden",
                                       "Kok",
                                       "Jacobs",
                                       "de Haan",
                                       "Vermeulen",
                                       "van den Heuvel",
                                       "van der Veen",
                                       "van den Broek",
                                       "de Bruijn",
                                       "de Bruin",
                                       "van der Heijden",
                                       "Schouten",
                                       "van Beek",
                                       "Willems",
                                       "van Vliet",
                                       "van de Ven",
                                       "Hoekstra",
                                       "Maas",
                                       "Verhoeven",
                                       "Koster",
                                       "van Dam",
                                       "van der Wal",
                                       "Prins",
                                       "Blom",
                                       "Huisman",
                                       "Peeters",
                                       "de Jonge",
                                       "Kuipers",
                                       "van Wijk",
                                       "Postma",
                                       "Kuiper",
                                       "van Veen",
                                       "Veenstra",
                                       "Kramer",
                                       "van den Brink",
                                       "Scholten",
                                       "van Wijngaarden",
                                       "Post",
                                       "Martens",
                                       "Vink",
                                       "de Ruiter",
                                       "van 't Hof",
                                       "in 't Veld",
                                       "ter Horst",
                                       "te Riele",
                                       "Timmermans",
                                       "Gerritsen",
                                       "Molenaar",
                                       "Verbeek",
                                       "Hermans",
                                       "Yılmaz",
                                       "Kaya",
                                       "El Amrani",
                                       "Bouzid",
                                       "Wijaya",
                                       "Pinas",
                                       "Martina",
                                       "Haverkamp",
                                       "Oosterhuis",
                                       "Rietveld",
                                       "Zandstra",
                                       "Hofman",
                                       "Stam"};

static const char *const streets[] = {"Dorpsstraat",
                                      "Kerkstraat",
                                      "Schoolstraat",
                                      "Molenweg",
                                      "Stationsweg",
                                      "Julianalaan",
                                      "Beatrixstraat",
                                      "Wilhelminapark",
                                      "Oranjestraat",
                                      "Nieuwstraat",
                                      "Hoofdstraat",
                                      "Parklaan",
                                      "Lindelaan",
                                      "Eikenlaan",
                                      "Beukenlaan",
                                      "Kastanjelaan",
                                      "Berkenhof",
                                      "Meidoornstraat",
                                      "Tulpstraat",
                                      "Rozenstraat",
                                      "Zonnebloemstraat",
                                      "Vinkenstraat",
                                      "Merelstraat",
                                      "Spoorstraat",
                                      "Havenstraat",
                                      "Marktplein",
                                      "Brink",
                                      "Prinsengracht",
                                      "Herengracht",
                                      "Vondellaan",
                                      "Rembrandtlaan",
                                      "Vermeerstraat",
                                      "Mozartlaan",
                                      "Sportlaan",
                                      "Industrieweg",
                                      "Ambachtsweg",
                                      "Nijverheidsweg",
                                      "Burgemeester de Withstraat",
                                      "Jan Steenstraat",
                                      "Thorbeckestraat",
                                      "Prins Hendrikkade",
                                      "Koningin Emmaplein",
                                      "Kloosterstraat",
                                      "Veldweg",
                                      "Polderweg",
                                      "Dijkstraat",
                                      "Sluisweg",
                                      "Wethouder Brinkstraat",
                                      "Kerkpad",
                                      "De Ruyterstraat",
                                      "Tolhuisweg",
                                      "Esdoornlaan",
                                      "Weidelaan",
                                      "Zuiderweg",
                                      "Noordersingel",
                                      "Oosterstraat",
                                      "Westeinde"};

static const lk_demo_town towns[] = {
    {"Utrecht", 3511, 3585, 30},   {"Amersfoort", 3811, 3829, 12},
    {"Zeist", 3701, 3709, 6},      {"Houten", 3991, 3995, 4},
    {"Nieuwegein", 3430, 3439, 6}, {"IJsselstein", 3400, 3404, 3},
    {"Woerden", 3440, 3449, 4},    {"De Bilt", 3730, 3739, 3},
    {"Veenendaal", 3900, 3907, 5}, {"Soest", 3760, 3769, 4},
    {"Bunnik", 3980, 3984, 2},     {"Vianen", 4130, 4133, 2},
    {"Maarssen", 3600, 3608, 4},   {"Stichtse Vecht", 3620, 3634, 3}};

static const char *const org_names[] = {"Bakkerij {s}",
                                        "{s} Installatietechniek B.V.",
                                        "Stichting Buurthuis De Linde",
                                        "Vereniging Dorpsbelang {t}",
                                        "Café De Zwaan",
                                        "{s} & Zn. Bouwbedrijf",
                                        "Fietsenmaker {s}",
                                        "Huisartsenpraktijk {s}",
                                        "Woningcorporatie Het Sticht",
                                        "Stichting Voedselbank {t}",
                                        "Tandartspraktijk {s}",
                                        "Kinderopvang De Regenboog",
                                        "Supermarkt {s}",
                                        "Hoveniersbedrijf {s}",
                                        "Schildersbedrijf {s}",
                                        "Autobedrijf {s}",
                                        "Restaurant De Gouden Leeuw",
                                        "Sportvereniging {t} '54",
                                        "Muziekvereniging Concordia",
                                        "Administratiekantoor {s}",
                                        "Kapsalon {f}",
                                        "Stichting Wijkteam {t}",
                                        "Camping De Heide",
                                        "Taxibedrijf {s}",
                                        "Drukkerij {s}",
                                        "Evenementenbureau {t} Live"};

static const char *const mail_domains[] = {"example.com", "example.net",
                                           "example.org", "mail.example",
                                           "post.example"};

static const char *const functions[] = {
    "eigenaar",       "directeur",      "office manager", "secretaris",
    "penningmeester", "bedrijfsleider", "administrateur", "voorzitter"};

const lk_demo_lists lk_demo = {
    female,       N(female),       male,      N(male),
    surnames,     N(surnames),     streets,   N(streets),
    towns,        N(towns),        org_names, N(org_names),
    mail_domains, N(mail_domains), functions, N(functions)};

const char *lk_demo_split_surname(const char *surname, char *prefix,
                                  size_t size) {
  const char *p = surname;
  const char *sp;

  /* Words that start in lower case or with an apostrophe ("'t"). */
  while ((*p == '\'' || (*p >= 'a' && *p <= 'z')) &&
         (sp = strchr(p, ' ')) != NULL)
    p = sp + 1;
  snprintf(prefix, size, "%.*s", p > surname ? (int)(p - surname - 1) : 0,
           surname);
  return p;
}

/* ---- teams ---------------------------------------------------------- */

const char *const lk_demo_teams[] = {"Klantcontactcentrum", "Burgerzaken",
                                     "Belastingen", "Wijkbeheer",
                                     "Sociaal Domein"};
const size_t lk_demo_nteams = N(lk_demo_teams);

/* ---- topics --------------------------------------------------------- */

static const char *const afval_s[] = {
    "Container niet geleegd",         "Grofvuil ophalen",
    "Kapotte minicontainer",          "Afvalpas kwijt",
    "Vraag over de afvalkalender",    "Zwerfafval bij de glasbak",
    "Nieuwe gft-container aanvragen", "Afvalstoffenheffing te hoog"};
static const char *const afval_q[] = {
    "Onze grijze container aan de {straat} {huisnr} is deze week niet "
    "geleegd, terwijl hij gewoon op tijd aan de straat stond.",
    "Ik wil graag grofvuil laten ophalen: een oude bank en een kast. Wanneer "
    "kan dat en wat kost het?",
    "De deksel van mijn gft-container is afgebroken bij het legen. Kan ik een "
    "nieuwe container krijgen?",
    "Ik ben mijn afvalpas kwijtgeraakt en kan de ondergrondse container in "
    "{plaats} niet meer openen.",
    "Bij de glasbak aan de {straat} ligt al dagen afval naast de container. "
    "Er lopen ratten rond.",
    "Op de afvalkalender staat dat het papier op {datum} wordt opgehaald, "
    "maar er is niemand geweest.",
    "Wij zijn verhuisd naar de {straat} en hebben nog geen containers "
    "ontvangen."};
static const char *const afval_a[] = {
    "Dank voor uw melding. De inzamelaar komt de container binnen twee "
    "werkdagen alsnog legen.",
    "U kunt grofvuil aanmelden via de website; het ophalen kost 25 euro per "
    "keer tot 2 kubieke meter. Ik heb een afspraak gemaakt voor {datum}.",
    "Er wordt een nieuwe container bij u afgeleverd. De oude mag u aan de "
    "straat laten staan, die nemen we mee.",
    "Uw oude afvalpas is geblokkeerd en er is een nieuwe pas naar uw adres "
    "gestuurd. Die is binnen vijf werkdagen bij u.",
    "We hebben de buitendienst gevraagd het afval bij de glasbak op te "
    "ruimen. Dank voor het doorgeven."};
static const char *const afval_n[] = {
    "Route 12 had vertraging door een defecte wagen; inzamelaar gebeld.",
    ("Container staat niet in de registratie op dit adres, chipnummer "
     "nagevraagd."),
    "Herhaalde melding op dit adres, derde keer deze maand."};
static const char *const afval_t[] = {
    "Container vervangen", "Grofvuil inplannen", "Nieuwe afvalpas sturen",
    "Zwerfafval laten opruimen"};

static const char *const pas_s[] = {"Afspraak paspoort aanvragen",
                                    "Identiteitskaart verlopen",
                                    "Paspoort kwijt",
                                    "Rijbewijs verlengen",
                                    "Spoedaanvraag paspoort",
                                    "Reisdocument voor kind",
                                    "Ophalen identiteitskaart"};
static const char *const pas_q[] = {
    "Ik wil een afspraak maken om een nieuw paspoort aan te vragen. Ik vertrek "
    "over zes weken naar het buitenland.",
    "Mijn identiteitskaart is verlopen. Moet ik een pasfoto meenemen en hoe "
    "lang duurt de aanvraag?",
    "Ik ben mijn paspoort verloren tijdens een treinreis. Wat moet ik doen?",
    "Mijn rijbewijs verloopt op {datum}. Kan ik dat bij de gemeente "
    "verlengen?",
    "Mijn dochter van 9 heeft een eigen paspoort nodig. Moeten wij allebei "
    "als ouders mee naar de balie?",
    "Ik heb een sms gekregen dat mijn identiteitskaart klaarligt. Wanneer kan "
    "ik die ophalen zonder afspraak?"};
static const char *const pas_a[] = {
    "U kunt online een afspraak maken bij Burgerzaken. Neem een recente "
    "pasfoto en uw oude document mee. De levertijd is vijf werkdagen.",
    "Bij verlies doet u eerst aangifte van vermissing aan de balie; daarna "
    "kunt u direct een nieuw paspoort aanvragen.",
    "Voor een kind onder de 12 moeten beide gezaghouders toestemming geven. "
    "Het kind moet zelf mee naar de balie.",
    "Afhalen kan op werkdagen tussen 9.00 en 12.00 uur zonder afspraak bij de "
    "balie in het stadskantoor.",
    "Ik heb een afspraak voor u ingepland op {datum} om 10.30 uur."};
static const char *const pas_n[] = {
    "Klant heeft spoed in verband met reis; spoedprocedure uitgelegd.",
    "Vermissing geregistreerd, document gesignaleerd.",
    "Klant was al eerder aan de balie zonder pasfoto."};
static const char *const pas_t[] = {"Spoedaanvraag beoordelen",
                                    "Afspraak inplannen aan de balie",
                                    "Document klaarzetten voor afhalen"};

static const char *const park_s[] = {
    "Parkeervergunning aanvragen",     "Bezwaar tegen parkeerboete",
    "Bezoekersvergunning werkt niet",  "Gehandicaptenparkeerplaats aanvragen",
    "Kenteken wijzigen op vergunning", "Fout geparkeerde auto"};
static const char *const park_q[] = {
    "Ik heb een nieuwe auto met kenteken {kenteken} en wil mijn "
    "parkeervergunning daarop laten zetten.",
    "Ik heb een naheffingsaanslag parkeerbelasting gekregen terwijl ik wel "
    "betaald heb via de app. Ik maak hiertegen bezwaar.",
    "Mijn bezoek kan niet inloggen met de bezoekerspas; de app geeft een "
    "foutmelding.",
    "Mijn vader is slecht ter been. Kunnen wij een gehandicaptenparkeerplaats "
    "voor de deur aan de {straat} krijgen?",
    "Er staat al drie weken een auto met kenteken {kenteken} op de stoep aan "
    "de {straat}. Hij lijkt verlaten.",
    "Hoe lang is de wachtlijst voor een parkeervergunning in het centrum van "
    "{plaats}?"};
static const char *const park_a[] = {
    "Het kenteken op uw vergunning is gewijzigd. De wijziging is direct "
    "actief.",
    "Wij hebben uw bezwaar ontvangen en nemen binnen zes weken een besluit. U "
    "hoeft de naheffing in de tussentijd niet te betalen.",
    "Uw bezoekersaccount was geblokkeerd na drie foute pogingen. Ik heb het "
    "vrijgegeven; uw bezoek kan weer inloggen.",
    "U kunt een gehandicaptenparkeerplaats aanvragen met een medische keuring. "
    "Ik stuur u het formulier per post.",
    "De handhavers gaan bij de auto kijken en plakken zo nodig een "
    "waarschuwingssticker."};
static const char *const park_n[] = {
    ("Betaling in de app staat wel in het systeem, 5 minuten na "
     "controletijdstip."),
    "Handhaving ingelicht, controle ingepland.",
    "Wachtlijst centrum is momenteel ongeveer acht maanden."};
static const char *const park_t[] = {"Bezwaar parkeerboete beoordelen",
                                     "Medische keuring aanvragen",
                                     "Handhaving laten controleren"};

static const char *const bel_s[] = {
    "Vraag over WOZ-waarde",       "Bezwaar aanslag gemeentelijke belastingen",
    "Betalingsregeling aanvragen", "Kwijtschelding aanvragen",
    "Aanslag hondenbelasting",     "Automatische incasso stopzetten",
    "Dubbele aanslag ontvangen"};
static const char *const bel_q[] = {
    "De WOZ-waarde van mijn woning aan de {straat} {huisnr} is dit jaar veel "
    "hoger vastgesteld dan de verkoopprijs van vergelijkbare huizen.",
    "Ik heb de aanslag gemeentelijke belastingen ontvangen maar kan het bedrag "
    "niet in een keer betalen. Kan ik in termijnen betalen?",
    "Ik heb een laag inkomen en wil kwijtschelding aanvragen voor de "
    "afvalstoffenheffing.",
    "Ik heb een aanslag hondenbelasting gekregen, maar onze hond is vorig "
    "jaar overleden.",
    "Ik heb twee keer dezelfde aanslag ontvangen, met aanslagnummer "
    "{zaak}. Welke moet ik betalen?",
    "Kunt u de automatische incasso stopzetten? Ik ben verhuisd naar een "
    "andere gemeente."};
static const char *const bel_a[] = {
    "U kunt bezwaar maken tegen de WOZ-waarde binnen zes weken na de "
    "dagtekening. Ik heb het taxatieverslag naar u gestuurd.",
    "Ik heb een betalingsregeling voor u ingesteld in tien maandelijkse "
    "termijnen via automatische incasso.",
    "Uw verzoek om kwijtschelding is in behandeling. U ontvangt binnen acht "
    "weken een besluit.",
    "De hondenbelasting is vanaf het overlijden van uw hond verminderd. U "
    "krijgt het te veel betaalde bedrag terug.",
    "De tweede aanslag is per abuis verstuurd en is vernietigd. U hoeft alleen "
    "de eerste te betalen."};
static const char *const bel_n[] = {
    "Taxateur gevraagd de woning opnieuw te bekijken.",
    "Inkomensgegevens opgevraagd bij het Inlichtingenbureau.",
    "Dubbele aanslag door een fout in de batch van maart."};
static const char *const bel_t[] = {
    "WOZ-bezwaar behandelen", "Kwijtschelding beoordelen",
    "Aanslag verminderen", "Betalingsregeling vastleggen"};

static const char *const wmo_s[] = {"Aanvraag huishoudelijke hulp",
                                    "Traplift aanvragen",
                                    "Vervoer naar dagbesteding",
                                    "Mantelzorgwaardering",
                                    "Scootmobiel kapot",
                                    "Keukentafelgesprek",
                                    "Schulden en hulpvraag"};
static const char *const wmo_q[] = {
    "Sinds mijn heupoperatie kan ik het huishouden niet meer zelf doen. Kan "
    "ik huishoudelijke hulp aanvragen?",
    "Mijn moeder woont aan de {straat} en kan de trap niet meer op. Komt zij "
    "in aanmerking voor een traplift?",
    "De taxi naar de dagbesteding komt steeds te laat. Mijn vader staat soms "
    "een uur te wachten.",
    "Ik zorg al jaren voor mijn zieke partner. Hoe vraag ik de "
    "mantelzorgwaardering aan?",
    "Mijn scootmobiel rijdt niet meer. Wie moet ik bellen voor de reparatie?",
    "Ik kom niet meer rond en heb achterstanden bij de energieleverancier. "
    "Kan de gemeente mij helpen?"};
static const char *const wmo_a[] = {
    "Een consulent van het Sociaal Domein neemt binnen vijf werkdagen contact "
    "met u op voor een keukentafelgesprek.",
    "De melding over het vervoer is doorgegeven aan de vervoerder. U hoort "
    "binnen twee weken wat zij eraan doen.",
    "U kunt de mantelzorgwaardering aanvragen tot 1 november; ik heb het "
    "formulier naar uw e-mailadres gestuurd.",
    "Voor reparatie van uw scootmobiel kunt u de leverancier bellen; de "
    "kosten zijn voor de gemeente.",
    "Ik heb u aangemeld bij de schuldhulpverlening. Een schuldhulpverlener "
    "belt u deze week voor een eerste gesprek."};
static const char *const wmo_n[] = {
    "Medische situatie besproken; klant wil niet dat buren dit weten.",
    "Eerdere indicatie verlopen op {datum}.",
    "Klant heeft een bewindvoerder; afstemmen voor vervolg."};
static const char *const wmo_t[] = {
    "Keukentafelgesprek plannen", "Indicatie huishoudelijke hulp",
    "Klacht vervoerder doorzetten", "Aanmelden schuldhulpverlening"};

static const char *const or_s[] = {
    "Lantaarnpaal kapot",  "Losliggende stoeptegels", "Boom hangt over de weg",
    "Gat in het wegdek",   "Speeltuin onveilig",      "Verstopte put",
    "Onkruid op de stoep", "Gladheid niet bestreden"};
static const char *const or_q[] = {
    "De lantaarnpaal voor de {straat} {huisnr} brandt al twee weken niet. "
    "Het is 's avonds erg donker.",
    "Op de stoep aan de {straat} liggen tegels los. Mijn buurvrouw is er "
    "gisteren over gestruikeld.",
    "Na de storm hangt een grote tak van de eik aan de {straat} half over "
    "het fietspad. Dat is gevaarlijk.",
    "Er zit een diep gat in het wegdek van de {straat} in {plaats}, vlak bij "
    "de school.",
    "De schommel in de speeltuin aan de {straat} is kapot; er steken spijkers "
    "uit.",
    "De put voor ons huis is verstopt; bij regen staat de hele straat blank."};
static const char *const or_a[] = {
    "Dank voor uw melding. De aannemer vervangt de lamp binnen tien "
    "werkdagen.",
    "De stoeptegels worden deze week rechtgelegd. Tot die tijd is de plek "
    "afgezet.",
    "Onze boomverzorgers halen de tak vandaag nog weg.",
    "Het gat wordt provisorisch gedicht; de definitieve reparatie volgt bij "
    "het groot onderhoud.",
    "De schommel is afgezet en wordt gerepareerd. Fijn dat u het meldde."};
static const char *const or_n[] = {
    "Melding doorgezet naar de buitendienst, wijk Noord.",
    "Dubbele melding, gekoppeld aan eerdere melding van {datum}.",
    "Aannemer bevestigt reparatie in week 14."};
static const char *const or_t[] = {"Buitendienst laten kijken",
                                   "Aannemer inschakelen",
                                   "Locatie afzetten en herstellen"};

static const char *const bw_s[] = {"Omgevingsvergunning dakkapel",
                                   "Vraag over bestemmingsplan",
                                   "Bezwaar tegen bouwplan buren",
                                   "Huurtoeslag en woningzoekend",
                                   "Vergunning uitrit",
                                   "Asbest verwijderen"};
static const char *const bw_q[] = {
    "Wij willen een dakkapel plaatsen aan de achterkant van ons huis aan de "
    "{straat} {huisnr}. Hebben wij een omgevingsvergunning nodig?",
    "Mag ik op mijn perceel een tuinhuis van 30 vierkante meter bouwen volgens "
    "het omgevingsplan?",
    "Onze buren gaan een uitbouw van drie meter hoog plaatsen. Wij maken "
    "bezwaar omdat wij dan geen zon meer hebben.",
    "Ik wil een uitrit naar de {straat} maken. Hoe vraag ik dat aan?",
    "Ik wil het asbestdak van mijn schuur zelf verwijderen. Moet ik dat "
    "melden?"};
static const char *const bw_a[] = {
    "Een dakkapel aan de achterkant is in veel gevallen vergunningvrij. Via "
    "het Omgevingsloket kunt u een vergunningcheck doen.",
    "Uw bezwaar is geregistreerd onder zaaknummer {zaak}. De commissie "
    "bezwaarschriften nodigt u uit voor een hoorzitting.",
    "Een uitrit vraagt u aan met een omgevingsvergunning. De behandeltermijn "
    "is acht weken.",
    "Asbest tot 35 vierkante meter mag u zelf verwijderen als u het vijf "
    "werkdagen vooraf meldt."};
static const char *const bw_n[] = {
    "Vergunningaanvraag buren is in behandeling, termijn loopt tot {datum}.",
    "Klant verwezen naar het Omgevingsloket.",
    "Bouwinspecteur gaat ter plaatse kijken."};
static const char *const bw_t[] = {
    "Vooroverleg bouwplan", "Bezwaar registreren", "Inspectie ter plaatse"};

static const char *const ov_s[] = {
    "Geluidsoverlast buren",   "Overlast hangjongeren",
    "Stankoverlast",           "Blaffende hond",
    "Illegale vuurwerkopslag", "Overlast van evenement",
    "Dumping van afval"};
static const char *const ov_q[] = {
    "De bovenburen aan de {straat} draaien elke nacht harde muziek tot vier "
    "uur. Wij kunnen niet meer slapen.",
    "Bij het winkelcentrum in {plaats} hangt elke avond een groep jongeren "
    "rond die bewoners lastigvalt.",
    "Sinds een week ruikt het in onze straat sterk naar riool, vooral 's "
    "avonds.",
    "De hond van de buren blaft de hele dag als zij werken. Dit gaat al "
    "maanden zo.",
    "Het festival in het park eindigde zaterdag pas om middernacht; de "
    "bassen waren tot ver in de wijk te horen.",
    "Iemand heeft op het grasveld aan de {straat} een lading bouwafval "
    "gedumpt."};
static const char *const ov_a[] = {
    "Wij hebben uw melding doorgegeven aan de wijkagent en de boa's. Houdt u "
    "een logboek bij van de overlast.",
    "De buurtbemiddeling kan helpen bij burenruzies. Zal ik u aanmelden?",
    "Een medewerker van de riolering gaat de putten in uw straat "
    "controleren.",
    "De organisator van het evenement is aangesproken op de eindtijd in de "
    "vergunning.",
    "Het gedumpte afval wordt opgeruimd; we onderzoeken wie het heeft "
    "achtergelaten."};
static const char *const ov_n[] = {
    "Eerdere meldingen van omwonenden op hetzelfde adres.",
    "Afgestemd met de wijkagent, extra surveillance ingepland.",
    "Melder wil anoniem blijven tegenover de buren."};
static const char *const ov_t[] = {
    "Buurtbemiddeling aanmelden", "Boa's laten surveilleren",
    "Riolering laten controleren", "Organisator aanspreken"};

#define TOPIC(cat, team, p, w, conf)                                           \
  {                                                                            \
    cat, team, p##_s, N(p##_s), p##_q, N(p##_q), p##_a, N(p##_a), p##_n,       \
        N(p##_n), p##_t, N(p##_t), w, conf                                     \
  }

const lk_demo_topic lk_demo_topics[] = {
    TOPIC("Afval", "Wijkbeheer", afval, 22, 0),
    TOPIC("Paspoort en ID-kaart", "Burgerzaken", pas, 18, 1),
    TOPIC("Parkeren", "Wijkbeheer", park, 12, 0),
    TOPIC("Belastingen", "Belastingen", bel, 14, 2),
    TOPIC("WMO", "Sociaal Domein", wmo, 10, 35),
    TOPIC("Openbare ruimte", "Wijkbeheer", or, 12, 0),
    TOPIC("Bouwen en wonen", "Klantcontactcentrum", bw, 6, 2),
    TOPIC("Overlast", "Wijkbeheer", ov, 6, 10)};
const size_t lk_demo_ntopics = N(lk_demo_topics);

const char *const lk_demo_greetings[] = {
    "Goedemiddag,",          "Beste meneer, mevrouw,", "Hallo,",
    "Geachte heer/mevrouw,", "Goedemorgen,",           "Beste gemeente,"};
const size_t lk_demo_ngreetings = N(lk_demo_greetings);

const char *const lk_demo_closings[] = {
    "Met vriendelijke groet,", "Groet,", "Alvast bedankt.",
    "Ik hoor graag van u.", "Bij voorbaat dank."};
const size_t lk_demo_nclosings = N(lk_demo_closings);

const char *const lk_demo_followups[] = {
    "Ik heb nog steeds niets gehoord. Wanneer wordt dit opgelost?",
    "Bedankt voor uw snelle reactie, dat is duidelijk.",
    "Het probleem is helaas nog niet verholpen.",
    "Moet ik hiervoor nog iets opsturen?",
    "Kunt u mij terugbellen? Ik ben na 17.00 uur bereikbaar.",
    "Ik heb de gevraagde gegevens als bijlage meegestuurd.",
    "Top, het is opgelost. Dank u wel!"};
const size_t lk_demo_nfollowups = N(lk_demo_followups);

const char *const lk_demo_callbacks[] = {
    "Klant wil graag teruggebeld worden over de voortgang.",
    "Terugbellen na overleg met de backoffice.",
    "Klant was niet bereikbaar; nogmaals proberen in de middag.",
    "Terugbellen over de gemaakte afspraak."};
const size_t lk_demo_ncallbacks = N(lk_demo_callbacks);
