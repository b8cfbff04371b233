'use client';
import { Check, Loader2 } from 'lucide-react';
import { useEffect, useState } from 'react';
import { Field } from '@/components/onboarding/field';
import { Input } from '@/components/ui/input';
import { type PartnerBrand, uploadBrandImage } from '@/lib/partner-brand';

const ACCEPT = { logo: 'image/png,image/jpeg,image/webp', favicon: 'image/png,image/x-icon,.ico' } as const;
const HINT = { logo: 'PNG, JPEG or WebP, up to 256 KB', favicon: 'PNG or ICO, up to 64 KB' } as const;

/**
 * The logo or favicon: uploaded as soon as it is picked (the hub checks the bytes and the size
 * and says why it refuses one), with a preview of the picked file.
 */
export function ImageField({
  partnerId,
  kind,
  label,
  present,
  disabled,
  onUploaded,
}: {
  partnerId: string;
  kind: 'logo' | 'favicon';
  label: string;
  present: boolean;
  disabled?: boolean;
  onUploaded: (b: PartnerBrand) => void;
}) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [preview, setPreview] = useState<string | null>(null);
  useEffect(() => () => void (preview && URL.revokeObjectURL(preview)), [preview]);

  const upload = async (file: File | undefined) => {
    if (!file) return;
    setBusy(true);
    setError(null);
    try {
      onUploaded(await uploadBrandImage(partnerId, kind, file));
      setPreview(URL.createObjectURL(file));
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };
  const hint = (
    <span className="inline-flex items-center gap-1">
      {busy && <Loader2 className="size-3 animate-spin" />}
      {present && !busy && <Check className="size-3 text-success" />}
      {present ? 'uploaded · ' : ''}
      {HINT[kind]}
    </span>
  );
  return (
    <Field id={`brand-${kind}`} label={label} hint={hint} error={error}>
      {(a) => (
        <div className="flex items-center gap-3">
          {preview && (
            // biome-ignore lint/performance/noImgElement: a local object URL, nothing to optimise
            <img src={preview} alt="" className="size-9 rounded-md border border-border object-contain" />
          )}
          <Input
            {...a}
            type="file"
            accept={ACCEPT[kind]}
            disabled={disabled || busy}
            className="py-1.5 file:mr-3 file:rounded-md file:border-0 file:bg-muted file:px-2 file:text-xs file:text-foreground"
            onChange={(e) => upload(e.target.files?.[0])}
          />
        </div>
      )}
    </Field>
  );
}
