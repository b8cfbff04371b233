import type { InvoiceView } from '../billing/invoices.js';
import { invoicePdf } from '../billing/pdf.js';
import type { Db } from '../db/index.js';
import { Brands } from './brand.js';
import { POWERED_BY } from './mail.js';

/** The invoice PDF as its client sees it: in its partner's brand, or Deep Signal's for the operator's own clients. */
export async function brandedInvoicePdf(db: Db, inv: InvoiceView): Promise<Buffer> {
  const brands = new Brands(db);
  const brand = await brands.forClient(inv.clientId);
  if (!brand.partnerId) return invoicePdf(inv);
  const logo = brand.hasLogo ? await brands.image(brand.partnerId, 'logo') : null;
  return invoicePdf(inv, {
    name: brand.productName,
    header: brand.invoiceHeader,
    footer: brand.invoiceFooter,
    poweredBy: brand.poweredBy ? POWERED_BY : null,
    // pdfkit draws PNG and JPEG; a WebP logo is left off the PDF rather than failing it.
    logo: logo && logo.contentType !== 'image/webp' ? logo.data : null,
  });
}
