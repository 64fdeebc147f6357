import type { Database, Statement } from "better-sqlite3";
import type { UploadRow } from "./port.js";

/** The `uploads` table: files sent to the files service, found by their sha256. */
export class UploadTable {
  readonly #insert: Statement<Omit<UploadRow, "deleted_at_ms">>;
  readonly #live: Statement<[], UploadRow>;
  readonly #delete: Statement<[number, string]>;

  constructor(db: Database) {
    this.#insert = db.prepare(
      `INSERT INTO uploads (file_id, sha256, bytes, content_type, file_url, expires_at_ms, uploaded_at_ms, deleted_at_ms)
       VALUES (@file_id, @sha256, @bytes, @content_type, @file_url, @expires_at_ms, @uploaded_at_ms, NULL)`,
    );
    this.#live = db.prepare("SELECT * FROM uploads WHERE deleted_at_ms IS NULL ORDER BY uploaded_at_ms, file_id");
    this.#delete = db.prepare("UPDATE uploads SET deleted_at_ms = ? WHERE file_id = ? AND deleted_at_ms IS NULL");
  }

  record(upload: Omit<UploadRow, "deleted_at_ms">): void {
    this.#insert.run(upload);
  }

  list(): UploadRow[] {
    return this.#live.all();
  }

  markDeleted(fileId: string, atMs: number): boolean {
    return this.#delete.run(atMs, fileId).changes === 1;
  }
}
