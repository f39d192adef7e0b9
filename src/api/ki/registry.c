/* registry.c - every resource the Klantinteracties API serves.  A new
 * resource is one file in this directory and one line in each list below
 * (see docs/klantinteracties.md). */
#include "api/ki/ki.h"

extern const lk_ki_resource lk_ki_categorieen;

const lk_ki_resource *const lk_ki_registry[] = {
    &lk_ki_categorieen,
    NULL,
};
