/* losses.c: the loss table of losses.h as data, and its lookup. */
#include <stddef.h>

#include "losses.h"

#define FR_TABLE_ROW(code, name, per_class, curvature, class_targets, binary_targets, slope) \
    [code] = {{name, per_class, curvature, class_targets, binary_targets}, slope},

static const fr_loss_entry loss_table[FR_LOSS_COUNT] = {FR_LOSS_TABLE(FR_TABLE_ROW)};

#undef FR_TABLE_ROW

const fr_loss_entry *fr_loss_lookup(int loss) {
    if (loss < 0 || loss >= FR_LOSS_COUNT || loss_table[loss].info.name == NULL) return NULL;
    return &loss_table[loss];
}

int fr_loss_describe(int loss, fr_loss_info *info) {
    const fr_loss_entry *entry = fr_loss_lookup(loss);
    if (entry == NULL) return 0;
    if (info != NULL) *info = entry->info;
    return 1;
}
