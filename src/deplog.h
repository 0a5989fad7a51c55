/* deplog.h — routes the dependencies' log output into tacit's sink; call before using them. */
#ifndef TACIT_DEPLOG_H
#define TACIT_DEPLOG_H

void deplog_init(void);

#endif
