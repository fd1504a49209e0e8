/* testing.c — storage for the test-only switches of model/testing.h (all off). */
#include "model/testing.h"

bool rs_testing_store_ignores_idempotence = false;
