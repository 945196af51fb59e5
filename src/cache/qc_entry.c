/*
 * qc_entry.c: one cached answer as both stores hold it (children):
 * a QcEntryHdr, the QcTables it depends on, then the reply bytes, padded
 * to 8 bytes.  Readers of either store get bytes that may be torn (a
 * shmem reader racing a writer) or foreign (memcached), so every length
 * is checked against what was really read before it is used.
 */
#include "qc_int.h"

#include <string.h>

size_t
qc_entry_data_offset(uint32_t ntables)
{
	return sizeof(QcEntryHdr) + (size_t) ntables * sizeof(QcTable);
}

size_t
qc_entry_size(int ntables, size_t len)
{
	return (qc_entry_data_offset((uint32_t) ntables) + len + 7) & ~(size_t) 7;
}

void
qc_entry_write(char *dst, const QcKey *key, const QcTable *tables, int ntables,
			   uint64_t as_of, const char *data, size_t len)
{
	QcEntryHdr	h;

	memset(&h, 0, sizeof(h));
	h.magic = QC_ENTRY_MAGIC;
	h.key = *key;
	h.as_of = as_of;
	h.created = (int64_t) qc_now();
	h.ntables = (uint32_t) ntables;
	h.len = (uint32_t) len;
	h.size = (uint32_t) qc_entry_size(ntables, len);
	memcpy(dst, &h, sizeof(h));
	if (ntables > 0)
		memcpy(dst + sizeof(h), tables, (size_t) ntables * sizeof(QcTable));
	if (len > 0)
		memcpy(dst + qc_entry_data_offset((uint32_t) ntables), data, len);
}

bool
qc_entry_sane(const QcEntryHdr *h, const QcKey *key, size_t avail)
{
	if (h->magic != QC_ENTRY_MAGIC || h->ntables > QC_MAX_TABLES)
		return false;
	if (key && memcmp(&h->key, key, sizeof(*key)) != 0)
		return false;
	if (h->size > avail || h->size != qc_entry_size((int) h->ntables, h->len))
		return false;
	return true;
}

bool
qc_entry_usable(const QcEntryHdr *h, const QcTable *tables)
{
	if (qc_settings.expire > 0 && qc_now() - (time_t) h->created > qc_settings.expire)
		return false;
	return qc_gens_valid(tables, (int) h->ntables, h->as_of);
}
