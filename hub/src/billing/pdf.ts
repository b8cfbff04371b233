import type { InvoiceView } from './invoices.js';

/** 12345 cents -> "123.45 EUR" (minus sign kept for credit notes). */
export function money(cents: number, currency: string): string {
  const sign = cents < 0 ? '-' : '';
  const a = Math.abs(cents);
  const whole = Math.floor(a / 100).toLocaleString('en-US');
  return `${sign}${whole}.${String(a % 100).padStart(2, '0')} ${currency}`;
}

const day = (iso: string) => iso.slice(0, 10);
const fmtQty = (q: number) => (Number.isInteger(q) ? q.toLocaleString('en-US') : q.toFixed(2));
const fmtUnit = (cents: number, currency: string) =>
  Number.isInteger(cents) ? money(cents, currency) : `${(cents / 100).toFixed(4)} ${currency}`;

/** A partner's look on its clients' invoices (brands/invoice.ts builds it). */
export interface InvoiceBrand {
  /** The partner's product name: the seller line and every mention of Deep Signal. */
  name: string;
  /** Lines under the name instead of the operator's address block (the partner's address, VAT id…). */
  header: string;
  footer: string;
  /** The "powered by" line, if the partner keeps it. */
  poweredBy: string | null;
  logo: Buffer | null;
}

/**
 * The invoice (or credit note) as a PDF: seller and client blocks, number, dates, the lines,
 * subtotal, VAT (or the reverse-charge note) and total. Built with pdfkit's standard fonts. With a
 * brand, the seller block, logo and footer are the partner's.
 */
export async function invoicePdf(inv: InvoiceView, brand?: InvoiceBrand): Promise<Buffer> {
  // pdfkit (with its fonts and codecs) is loaded on the first invoice, not with the hub.
  const { default: PDFDocument } = await import('pdfkit');
  const doc = new PDFDocument({
    size: 'A4',
    margin: 50,
    info: {
      Title: `${inv.number}`,
      ...(brand ? { Author: brand.name, Creator: brand.name, Producer: brand.name } : {}),
    },
  });
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((res, rej) => {
    doc.on('end', () => res(Buffer.concat(chunks)));
    doc.on('error', rej);
  });
  const seller = (inv.billTo.seller ?? {}) as Record<string, string>;
  const client = (inv.billTo.client ?? {}) as Record<string, string | null>;
  const credit = inv.kind === 'credit_note';
  // A partner's client never reads the operator's product name, not even in a line description.
  const t = (s: string) => (brand ? s.replace(/Deep ?Signal/gi, brand.name) : s);

  doc
    .font('Helvetica-Bold')
    .fontSize(18)
    .text(credit ? 'Credit note' : 'Invoice', 50, 50);
  doc.font('Helvetica').fontSize(10);
  if (brand?.logo) doc.image(brand.logo, 395, 30, { fit: [150, 40], align: 'right' });
  const left = (
    brand
      ? [brand.name, ...brand.header.split('\n')]
      : [
          seller.name,
          ...(seller.address ?? '').split('|'),
          seller.country,
          seller.vatId && `VAT ID ${seller.vatId}`,
          seller.email,
        ]
  )
    .filter(Boolean)
    .join('\n');
  doc.text(left, 50, 80, { width: 240 });
  const meta = [
    `Number: ${inv.number}`,
    `Period: ${inv.period}`,
    `Issued: ${day(inv.issuedAt)}`,
    credit ? `Credits: ${String(inv.billTo.credits ?? '')}` : `Due: ${day(inv.dueAt)}`,
  ].join('\n');
  doc.text(meta, 330, 80, { width: 215, align: 'right' });

  doc.font('Helvetica-Bold').text('Bill to', 50, 170);
  doc.font('Helvetica');
  const to = [
    client.name,
    ...String(client.address ?? '').split('|'),
    client.country,
    client.vatId && `VAT ID ${client.vatId}`,
    client.email,
  ]
    .filter(Boolean)
    .join('\n');
  doc.text(to, 50, 185, { width: 300 });
  if (credit && inv.billTo.reason) doc.text(`Reason: ${String(inv.billTo.reason)}`, 50, doc.y + 6, { width: 495 });

  let y = Math.max(doc.y + 24, 260);
  const cols = { d: 50, q: 320, u: 380, a: 470 };
  doc.font('Helvetica-Bold');
  doc.text('Description', cols.d, y).text('Qty', cols.q, y, { width: 50, align: 'right' });
  doc
    .text('Unit price', cols.u, y, { width: 80, align: 'right' })
    .text('Amount', cols.a, y, { width: 75, align: 'right' });
  doc
    .moveTo(50, y + 14)
    .lineTo(545, y + 14)
    .stroke();
  doc.font('Helvetica');
  y += 22;
  for (const l of inv.lines) {
    if (y > 740) {
      doc.addPage();
      y = 50;
    }
    doc.text(t(l.description), cols.d, y, { width: 260 });
    const h = doc.y - y;
    doc.text(fmtQty(l.quantity), cols.q, y, { width: 50, align: 'right' });
    doc.text(fmtUnit(l.unitPrice, inv.currency), cols.u, y, { width: 80, align: 'right' });
    doc.text(money(l.amount, inv.currency), cols.a, y, { width: 75, align: 'right' });
    y += Math.max(h, 12) + 6;
  }
  doc.moveTo(320, y).lineTo(545, y).stroke();
  y += 8;
  const rate = `${Math.round(inv.taxRate * 10000) / 100}%`;
  for (const [label, value, bold] of [
    ['Subtotal', money(inv.subtotal, inv.currency), false],
    [`VAT ${rate}`, money(inv.tax, inv.currency), false],
    ['Total', money(inv.total, inv.currency), true],
  ] as const) {
    doc.font(bold ? 'Helvetica-Bold' : 'Helvetica');
    doc.text(label, cols.q, y, { width: 140 }).text(value, cols.a, y, { width: 75, align: 'right' });
    y += 16;
  }
  doc.font('Helvetica');
  if (inv.taxNote) doc.text(t(inv.taxNote), 50, y + 12, { width: 495 });
  if (!credit && inv.payUrl) doc.text(`Pay online: ${inv.payUrl}`, 50, doc.y + 8, { width: 495 });
  const footer = [brand?.footer, brand?.poweredBy].filter(Boolean).join('\n');
  if (footer) doc.fontSize(8).text(footer, 50, doc.y + 24, { width: 495, align: 'center' });
  doc.end();
  return done;
}
