'use client';
import { Loader2, Save } from 'lucide-react';
import { type FormEvent, useState } from 'react';
import { Field } from '@/components/onboarding/field';
import { FormError } from '@/components/partners/form-error';
import { Button } from '@/components/ui/button';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card';
import { Input, Textarea } from '@/components/ui/input';
import { Switch } from '@/components/ui/switch';
import { toast } from '@/components/ui/toast';
import {
  type BrandDraft,
  type BrandField,
  draftOf,
  fieldErrors,
  type PartnerBrand,
  saveBrand,
} from '@/lib/partner-brand';
import { BrandPreview } from './brand-preview';
import { ColourField } from './colour-field';
import { ImageField } from './image-field';

const LABELS: Record<BrandField, string> = {
  productName: 'Product name',
  primaryColor: 'Primary colour',
  accentColor: 'Accent colour',
  supportEmail: 'Support email',
  mailFromName: 'Mail sender name',
  mailFromAddress: 'Mail sender address',
  invoiceHeader: 'Invoice header',
  invoiceFooter: 'Invoice footer',
  poweredBy: 'Show “Powered by Deep Signal”',
};

/**
 * Every field of `PUT /partners/:id/brand` with a live preview of the colours. The hub validates
 * (contrast included); its refusal is shown at the field it names.
 */
export function BrandForm({
  partnerId,
  brand,
  readOnly,
  onSaved,
}: {
  partnerId: string;
  brand: PartnerBrand;
  readOnly: boolean;
  onSaved: (b: PartnerBrand) => void;
}) {
  const [draft, setDraft] = useState<BrandDraft>(() => draftOf(brand));
  const [errors, setErrors] = useState<Partial<Record<BrandField, string>>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const set = <K extends BrandField>(k: K, v: BrandDraft[K]) => {
    setDraft((d) => ({ ...d, [k]: v }));
    setErrors(({ [k]: _, ...rest }) => rest);
  };
  const text = (k: Exclude<BrandField, 'poweredBy'>) => ({
    value: draft[k],
    onChange: (e: { target: { value: string } }) => set(k, e.target.value),
  });

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setFormError(null);
    try {
      const saved = await saveBrand(partnerId, draft);
      setErrors({});
      setDraft(draftOf(saved));
      onSaved(saved);
      toast('Brand saved', { tone: 'success', description: saved.productName });
    } catch (err) {
      const { fields, form } = fieldErrors((err as Error).message);
      setErrors(fields);
      setFormError(form);
      // Take the keyboard to the first field the hub refused.
      const first = Object.keys(fields)[0];
      if (first) document.getElementById(`brand-${first}`)?.focus();
    } finally {
      setBusy(false);
    }
  };

  return (
    <form onSubmit={submit} aria-label="Brand" data-testid="brand-form" noValidate>
      <fieldset disabled={readOnly} className="grid gap-6">
        <Card>
          <CardHeader>
            <CardTitle>Identity</CardTitle>
            <CardDescription>What your clients see instead of Deep Signal on your domains.</CardDescription>
          </CardHeader>
          <CardContent className="grid gap-4 sm:grid-cols-2">
            <Field id="brand-productName" label={LABELS.productName} error={errors.productName}>
              {(a) => <Input {...a} {...text('productName')} maxLength={60} required />}
            </Field>
            <div />
            <ImageField
              partnerId={partnerId}
              kind="logo"
              label="Logo"
              present={brand.hasLogo}
              disabled={readOnly}
              onUploaded={onSaved}
            />
            <ImageField
              partnerId={partnerId}
              kind="favicon"
              label="Favicon"
              present={brand.hasFavicon}
              disabled={readOnly}
              onUploaded={onSaved}
            />
          </CardContent>
        </Card>

        <Card>
          <CardHeader>
            <CardTitle>Colours</CardTitle>
            <CardDescription>
              Text on the colour needs 4.5:1, the colour on the light and dark backgrounds 3:1 (WCAG AA).
            </CardDescription>
          </CardHeader>
          <CardContent className="grid gap-4">
            <div className="grid gap-4 sm:grid-cols-2">
              <ColourField
                id="brand-primaryColor"
                label={LABELS.primaryColor}
                value={draft.primaryColor}
                error={errors.primaryColor}
                onChange={(v) => set('primaryColor', v)}
              />
              <ColourField
                id="brand-accentColor"
                label={LABELS.accentColor}
                value={draft.accentColor}
                error={errors.accentColor}
                onChange={(v) => set('accentColor', v)}
              />
            </div>
            <BrandPreview productName={draft.productName} primary={draft.primaryColor} accent={draft.accentColor} />
          </CardContent>
        </Card>

        <Card>
          <CardHeader>
            <CardTitle>Mail and invoices</CardTitle>
            <CardDescription>Mails to your clients and their invoices carry these.</CardDescription>
          </CardHeader>
          <CardContent className="grid gap-4 sm:grid-cols-2">
            <Field id="brand-supportEmail" label={LABELS.supportEmail} error={errors.supportEmail}>
              {(a) => <Input {...a} {...text('supportEmail')} type="email" placeholder="support@example.com" />}
            </Field>
            <div />
            <Field id="brand-mailFromName" label={LABELS.mailFromName} error={errors.mailFromName}>
              {(a) => <Input {...a} {...text('mailFromName')} maxLength={60} />}
            </Field>
            <Field id="brand-mailFromAddress" label={LABELS.mailFromAddress} error={errors.mailFromAddress}>
              {(a) => <Input {...a} {...text('mailFromAddress')} type="email" placeholder="no-reply@example.com" />}
            </Field>
            <Field id="brand-invoiceHeader" label={LABELS.invoiceHeader} error={errors.invoiceHeader}>
              {(a) => <Textarea {...a} {...text('invoiceHeader')} maxLength={500} />}
            </Field>
            <Field id="brand-invoiceFooter" label={LABELS.invoiceFooter} error={errors.invoiceFooter}>
              {(a) => <Textarea {...a} {...text('invoiceFooter')} maxLength={500} />}
            </Field>
            <div className="flex items-center gap-3 sm:col-span-2">
              <Switch
                id="brand-poweredBy"
                checked={draft.poweredBy}
                onCheckedChange={(v) => set('poweredBy', v)}
                aria-describedby="brand-poweredBy-hint"
              />
              <label htmlFor="brand-poweredBy" className="text-sm">
                {LABELS.poweredBy}
              </label>
              <span id="brand-poweredBy-hint" className="text-xs text-muted-foreground">
                under the product name and in mails
              </span>
            </div>
          </CardContent>
        </Card>

        {!readOnly && (
          <div className="flex flex-col gap-2">
            <FormError error={formError} />
            <div>
              <Button type="submit" disabled={busy}>
                {busy ? <Loader2 className="animate-spin" /> : <Save />} Save brand
              </Button>
            </div>
          </div>
        )}
      </fieldset>
    </form>
  );
}
