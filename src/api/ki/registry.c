/* registry.c - every resource the Klantinteracties API serves.  A new
 * resource is one file in this directory and one line in each list below
 * (see docs/klantinteracties.md). */
#include "api/ki/ki.h"

extern const lk_ki_resource lk_ki_categorieen;
extern const lk_ki_resource lk_ki_klantcontacten;
extern const lk_ki_resource lk_ki_betrokkenen;
extern const lk_ki_resource lk_ki_bijlagen;
extern const lk_ki_resource lk_ki_onderwerpobjecten;
extern const lk_ki_resource lk_ki_actorklantcontacten;
extern const lk_ki_resource lk_ki_internetaken;
extern const lk_ki_resource lk_ki_maak_klantcontact;

const lk_ki_resource *const lk_ki_registry[] = {
    &lk_ki_categorieen,  &lk_ki_klantcontacten,    &lk_ki_betrokkenen,
    &lk_ki_bijlagen,     &lk_ki_onderwerpobjecten, &lk_ki_actorklantcontacten,
    &lk_ki_internetaken, &lk_ki_maak_klantcontact, NULL,
};
