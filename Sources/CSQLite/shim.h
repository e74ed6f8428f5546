#include <sqlite3.h>
/* Variadic sqlite3_config cannot be called from Swift: wrap the calls we need. */
static inline int pave_sqlite3_db_config_defensive(sqlite3 *db, int on) {
    return sqlite3_db_config(db, SQLITE_DBCONFIG_DEFENSIVE, on, (int *)0);
}
