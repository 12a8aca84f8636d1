/* Half-close states of a forwarded connection's directions; see conn_half.h. */
#include "conn_half.h"

/* Return the name of STATE for logs. */
const char *
conn_half_name(enum conn_half state)
{
	switch (state) {
	case CONN_HALF_OPEN:
		return "open";
	case CONN_HALF_DRAIN:
		return "drain";
	case CONN_HALF_CLOSED:
		return "closed";
	}
	return "?";
}

/* Take one step forward, or refuse; see conn_half.h. */
int
conn_half_set(enum conn_half *half, enum conn_half next)
{
	if ((*half == CONN_HALF_OPEN && next == CONN_HALF_DRAIN) ||
	    (*half == CONN_HALF_DRAIN && next == CONN_HALF_CLOSED)) {
		*half = next;
		return 0;
	}
	return -1;
}
