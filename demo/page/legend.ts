// Fills the page's legend from the same notes the diagram's hover texts use: one wording.
import { DUP_NOTE, PACKET_ID_NOTE, PACKET_NOTES } from './packet-notes';

export function fillLegend(page: Document): void {
  for (const type of ['publish', 'puback', 'pubrec', 'pubrel', 'pubcomp'] as const) page.querySelector(`#note-${type}`)!.textContent = PACKET_NOTES[type]!;
  page.querySelector('#note-dup')!.textContent = DUP_NOTE;
  page.querySelector('#note-ids')!.textContent = PACKET_ID_NOTE;
}
