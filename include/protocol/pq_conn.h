/*
 * pq_conn.h: a buffered protocol connection over a socket.
 *
 * One PqConn per socket (client or backend).  Reads fill rbuf; whole
 * messages are returned as pointers into it, valid until the next read.
 * Writes are gathered in wbuf and sent by pq_conn_flush.  The transport
 * (plain socket now, TLS later) sits behind two function pointers.
 */
#ifndef PGPOOL_PROTOCOL_PQ_CONN_H
#define PGPOOL_PROTOCOL_PQ_CONN_H

#include <stdbool.h>
#include <stddef.h>
#include <signal.h>
#include <sys/types.h>

#include "protocol/pq_message.h"

/* Results of I/O calls: >= 0 is success. */
typedef enum PqIoStatus
{
	PQ_IO_OK = 0,
	PQ_IO_EOF = -1,				/* peer closed the connection */
	PQ_IO_ERROR = -2,			/* socket error; errno set */
	PQ_IO_TIMEOUT = -3,			/* the timeout passed */
	PQ_IO_TOO_BIG = -4,			/* announced length over the caller's limit */
	PQ_IO_BAD_LENGTH = -5,		/* announced length below the minimum (4) */
	PQ_IO_INTERRUPTED = -6		/* a signal asked the caller to stop waiting */
} PqIoStatus;

typedef struct PqConn PqConn;

typedef struct PqTransport
{
	ssize_t		(*recv) (PqConn *c, void *buf, size_t len);
	ssize_t		(*send) (PqConn *c, const void *buf, size_t len);
	void		(*close) (PqConn *c);
} PqTransport;

struct PqConn
{
	int			fd;
	char	   *rbuf;
	size_t		rcap;
	size_t		rpos;			/* first unread byte */
	size_t		rlen;			/* end of buffered data */
	PqBuf		wbuf;			/* pending output */
	const PqTransport *transport;
	void	   *transport_state;	/* e.g. the SSL object */
	volatile int *interrupt;	/* if set and non-zero, waits return PQ_IO_INTERRUPTED */
};

/* A whole message inside a PqConn's read buffer. */
typedef struct PqMsg
{
	char		type;
	const char *body;			/* after the length word */
	size_t		len;			/* body length (announced length - 4) */
} PqMsg;

/*
 * Signal mask installed while waiting (ppoll).  A process that keeps its
 * shutdown signals blocked sets this to the mask that unblocks them, so
 * signals are taken only while a wait is in progress and never lost.
 * NULL: plain poll.
 */
extern const sigset_t *pq_wait_sigmask;

void		pq_conn_init(PqConn *c, int fd);
/* Close the socket and free buffers; safe on a closed conn (fd < 0). */
void		pq_conn_close(PqConn *c);
/* Free buffers but keep fd open (used after fork hand-offs). */
void		pq_conn_release_buffers(PqConn *c);

static inline size_t
pq_conn_buffered(const PqConn *c)
{
	return c->rlen - c->rpos;
}

/*
 * Wait until fd is readable (or writable when for_write), timeout_ms < 0
 * waits forever.  Returns PQ_IO_OK, PQ_IO_TIMEOUT, PQ_IO_ERROR or
 * PQ_IO_INTERRUPTED.
 */
int			pq_conn_wait(PqConn *c, bool for_write, int timeout_ms);

/* Read whatever is available (at least one byte) into rbuf; returns bytes read or a PqIoStatus. */
int			pq_conn_fill(PqConn *c, int timeout_ms);

/* Make sure at least n bytes are buffered. */
int			pq_conn_ensure(PqConn *c, size_t n, int timeout_ms);

/*
 * Read one typed message whole.  max_len bounds the body length.
 * On success the message is consumed from the buffer (pointers stay valid
 * until the next read call on c).
 */
int			pq_conn_read_message(PqConn *c, PqMsg *msg, size_t max_len, int timeout_ms);

/* Read the startup packet (no type byte), at most PQ_MAX_STARTUP_PACKET long. */
int			pq_conn_read_startup(PqConn *c, const char **body, size_t *len, int timeout_ms);

/* Write all of wbuf; returns PQ_IO_OK or an error. */
int			pq_conn_flush(PqConn *c, int timeout_ms);

/* Flush wbuf, then write len bytes from buf directly. */
int			pq_conn_send(PqConn *c, const void *buf, size_t len, int timeout_ms);

/* Describe a status for log lines ("end of file", "timeout", strerror...). */
const char *pq_io_status_text(int status);

#endif
