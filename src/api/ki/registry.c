/* registry.c - every resource the Klantinteracties API serves.  A new
 * resource is one file in this directory and one line in each list below
 * (see docs/klantinteracties.md). */
#include "api/ki/ki.h"

extern const lk_ki_resource lk_ki_actoren;
extern const lk_ki_resource lk_ki_categorie_relaties;
extern const lk_ki_resource lk_ki_categorieen;
extern const lk_ki_resource lk_ki_digitaleadressen;
extern const lk_ki_resource lk_ki_partij_identificatoren;
extern const lk_ki_resource lk_ki_partijen;
extern const lk_ki_resource lk_ki_rekeningnummers;
extern const lk_ki_resource lk_ki_vertegenwoordigingen;
extern const lk_ki_resource lk_ki_actorklantcontacten;
extern const lk_ki_resource lk_ki_betrokkenen;
extern const lk_ki_resource lk_ki_bijlagen;
extern const lk_ki_resource lk_ki_internetaken;
extern const lk_ki_resource lk_ki_klantcontacten;
extern const lk_ki_resource lk_ki_onderwerpobjecten;

const lk_ki_resource *const lk_ki_registry[] = {
    &lk_ki_actoren,
    &lk_ki_categorie_relaties,
    &lk_ki_categorieen,
    &lk_ki_digitaleadressen,
    &lk_ki_partij_identificatoren,
    &lk_ki_partijen,
    &lk_ki_rekeningnummers,
    &lk_ki_vertegenwoordigingen,
    /* the klantcontact side */
    &lk_ki_actorklantcontacten,
    &lk_ki_betrokkenen,
    &lk_ki_bijlagen,
    &lk_ki_internetaken,
    &lk_ki_klantcontacten,
    &lk_ki_onderwerpobjecten,
    NULL,
};
