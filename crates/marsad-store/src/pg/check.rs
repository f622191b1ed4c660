//! Is a PostgreSQL store whole, and what does it hold? Each document once (in `documents` and
//! in `document_ids`, whichever partition), every document's content read back with its
//! opening and profile, no rows of missing documents, the clustering tables pointing at rows
//! that exist; and the digests of [`Check`].

use super::PgStore;
use crate::Error;
use crate::check::{Check, DANGLING, Digests, HASHED, UNHASHED, read_back};

impl PgStore {
    /// Checks the store and computes its digests (reads everything). Writes nothing.
    pub fn check(&self) -> Result<Check, Error> {
        let mut out = Check::default();
        let mut client = self.client()?;
        let mut count = |sql: &str| -> Result<i64, Error> {
            Ok(client.query_one(&format!("SELECT ({sql})::bigint"), &[])?.get::<_, i64>(0))
        };
        let mut counted: Vec<(String, &str)> = DANGLING.iter().map(|(w, q)| (w.to_string(), *q)).collect();
        counted.extend([
            ("documents stored twice".to_owned(), "SELECT count(*) - count(DISTINCT id) FROM documents"),
            (
                "document ids without their document".to_owned(),
                "SELECT count(*) FROM document_ids i WHERE NOT EXISTS (SELECT 1 FROM documents d WHERE d.id = i.id)",
            ),
            (
                "documents without their id".to_owned(),
                "SELECT count(*) FROM documents d WHERE NOT EXISTS \
                 (SELECT 1 FROM document_ids i WHERE i.id = d.id AND i.seq = d.seq)",
            ),
            (
                "documents without a clustering profile".to_owned(),
                "SELECT count(*) FROM documents d WHERE NOT EXISTS (SELECT 1 FROM profiles p WHERE p.doc_seq = d.seq)",
            ),
        ]);
        // Table names are the schema's own.
        let orphans: Vec<(String, String)> = ["events", "entities", "places", "quotes", "openings", "profiles"]
            .iter()
            .map(|t| {
                let sql = format!("SELECT count(*) FROM {t} WHERE doc_seq NOT IN (SELECT seq FROM documents)");
                (format!("{t} rows of a missing document"), sql)
            })
            .collect();
        counted.extend(orphans.iter().map(|(w, q)| (w.clone(), q.as_str())));
        for (what, sql) in &counted {
            let n = count(sql)?;
            if n > 0 {
                out.problems.push(format!("{n} {what}"));
            }
        }
        out.pending = 0;
        let mut digests = Digests::default();
        let rows = client.query(
            "SELECT d.seq, d.id, d.content, o.body_bytes, o.opening FROM documents d \
             LEFT JOIN openings o ON o.doc_seq = d.seq",
            &[],
        )?;
        for r in &rows {
            let (seq, id): (i64, String) = (r.get(0), r.get(1));
            out.documents += 1;
            let opening: Option<(u64, &[u8])> = r.get::<_, Option<i64>>(3).map(|n| n as u64).zip(r.get(4));
            let Some(content) = read_back(&self.dicts, &id, r.get(2), opening, &mut out.problems) else { continue };
            digests.content(seq as u64, &id, &content);
        }
        out.indexed = out.documents;
        for table in HASHED {
            let columns: Vec<String> = client
                .query(
                    "SELECT column_name::text FROM information_schema.columns \
                     WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position",
                    &[table],
                )?
                .iter()
                .map(|r| r.get::<_, String>(0))
                .filter(|c| !UNHASHED.contains(&(table, c.as_str())))
                .collect();
            // Table and column names are the schema's own; each row as PostgreSQL writes it.
            let quoted: Vec<String> = columns.iter().map(|c| format!("\"{c}\"")).collect();
            for r in client.query(&format!("SELECT ROW({})::text FROM {table}", quoted.join(", ")), &[])? {
                let mut h = blake3::Hasher::new();
                h.update(table.as_bytes()).update(r.get::<_, &str>(0).as_bytes());
                digests.rows.add(h.finalize());
            }
        }
        digests.finish(&mut out);
        Ok(out)
    }
}
