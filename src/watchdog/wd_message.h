/*
 * wd_message.h: watchdog messages between pgpools as pure encode/decode
 * functions (no I/O).  The same frame travels over TCP (wd_port) and as one
 * UDP datagram (heartbeat).
 *
 * Frame:  "WD" version(1) flags(1) body_len(uint32)  body  [HMAC-SHA256]
 * Body:   type(1) sender(uint16) state(uint8) leader(int16) priority(int32)
 *         start_us(int64) seq(uint32) payload_len(uint16) payload
 * All integers big-endian.  With wd_authkey set every frame carries an
 * HMAC-SHA256 over header and body (flag WD_FLAG_MAC); a receiver with a
 * key drops frames without a valid one, so a pgpool with another key (or
 * none) cannot take part in the cluster.
 */
#ifndef PGPOOL_WATCHDOG_WD_MESSAGE_H
#define PGPOOL_WATCHDOG_WD_MESSAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define WD_FRAME_HEADER 8
#define WD_BODY_FIXED 24
#define WD_MAC_LEN 32
#define WD_MAX_PAYLOAD 512
#define WD_MAX_FRAME (WD_FRAME_HEADER + WD_BODY_FIXED + WD_MAX_PAYLOAD + WD_MAC_LEN)
#define WD_FLAG_MAC 0x01
#define WD_PROTO_VERSION 1

typedef enum WdMsgType
{
	WD_MSG_INFO = 'I',			/* my state (beacon, and on every change) */
	WD_MSG_STAND = 'S',			/* I stand for leader: accept or reject */
	WD_MSG_ACCEPT = 'A',		/* I accept your candidacy */
	WD_MSG_REJECT = 'R',		/* I reject it (there is a leader, or I am a better candidate) */
	WD_MSG_DECLARE = 'D',		/* I am the leader */
	WD_MSG_QUIT = 'Q',			/* I am shutting down */
	WD_MSG_FAILOVER_REQ = 'F',	/* to the leader: my health check saw a backend fail */
	WD_MSG_FAILOVER_DO = 'G',	/* from the leader: apply this backend status */
	WD_MSG_HEARTBEAT = 'H',		/* UDP lifecheck */
	WD_MSG_COMMAND = 'C'		/* stop or reload this pgpool (--scope=cluster) */
} WdMsgType;

typedef struct WdMessage
{
	char		type;			/* WdMsgType */
	int			sender;			/* node id */
	int			state;			/* sender's WdState */
	int			leader;			/* whom the sender follows, -1 none */
	int			priority;		/* sender's wd_priority */
	int64_t		start_us;		/* sender's start time, microseconds since the epoch */
	uint32_t	seq;
	uint16_t	payload_len;
	char		payload[WD_MAX_PAYLOAD];
} WdMessage;

typedef enum WdDecodeStatus
{
	WD_DECODE_OK = 0,
	WD_DECODE_NEED_MORE,		/* not a whole frame yet */
	WD_DECODE_BAD,				/* not a watchdog frame */
	WD_DECODE_AUTH_FAILED		/* missing or wrong HMAC */
} WdDecodeStatus;

/*
 * Encode m into buf (cap bytes), signed with key when key is non-empty.
 * Returns the frame length, 0 if it does not fit.
 */
size_t		wd_msg_encode(const WdMessage *m, const char *key, uint8_t *buf, size_t cap);

/*
 * Decode the frame at the start of buf (len bytes); *consumed gets its
 * length when the status is OK, BAD or AUTH_FAILED (BAD: the whole buffer,
 * the stream is lost).
 */
WdDecodeStatus wd_msg_decode(const uint8_t *buf, size_t len, const char *key, WdMessage *out,
							 size_t *consumed);

const char *wd_msg_type_name(char type);

/* Fill the common header fields of a message. */
void		wd_msg_init(WdMessage *m, char type, int sender, int state, int leader, int priority,
						int64_t start_us);

#endif
