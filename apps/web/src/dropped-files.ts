/**
 * The files of what was dropped on a drop area, folders included: each dropped item's entry
 * (`webkitGetAsEntry`), a folder's read with its reader until it gives no more (Chromium gives
 * them 100 at a time), its folders read in turn, to any depth. The entries must be taken while the
 * drop event runs (the items are emptied after it); `droppedEntries` does that, `entryFiles`
 * reads them.
 */

/** The entries of a drop's items, taken at once; null when the browser gives none (then its `files` are what was dropped). */
export function droppedEntries(transfer: DataTransfer): FileSystemEntry[] | null {
  const entries = Array.from(transfer.items, (item) => (item.kind === 'file' ? item.webkitGetAsEntry() : null));
  return entries.length === 0 || entries.includes(null) ? null : (entries as FileSystemEntry[]);
}

/** Every file of `entries`, those in folders (and their folders) included, in the order read. */
export async function entryFiles(entries: readonly FileSystemEntry[]): Promise<File[]> {
  const files: File[] = [];
  for (const entry of entries) {
    if (isFile(entry)) files.push(await new Promise<File>((resolve, reject) => entry.file(resolve, reject)));
    else if (isDirectory(entry)) files.push(...(await entryFiles(await folderEntries(entry))));
  }
  return files;
}

/** The entries of one folder: its reader's batches until an empty one. */
async function folderEntries(folder: FileSystemDirectoryEntry): Promise<FileSystemEntry[]> {
  const reader = folder.createReader();
  const entries: FileSystemEntry[] = [];
  for (;;) {
    const batch = await new Promise<FileSystemEntry[]>((resolve, reject) => reader.readEntries(resolve, reject));
    if (batch.length === 0) return entries;
    entries.push(...batch);
  }
}

function isFile(entry: FileSystemEntry): entry is FileSystemFileEntry {
  return entry.isFile;
}

function isDirectory(entry: FileSystemEntry): entry is FileSystemDirectoryEntry {
  return entry.isDirectory;
}
