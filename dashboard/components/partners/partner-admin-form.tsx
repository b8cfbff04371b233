'use client';
import { Loader2, UserPlus } from 'lucide-react';
import { type FormEvent, useState } from 'react';
import { Button } from '@/components/ui/button';
import { Input, Label } from '@/components/ui/input';
import { SimpleSelect } from '@/components/ui/select';
import { toast } from '@/components/ui/toast';
import { api } from '@/lib/api';
import type { Partner } from '@/lib/partners';
import { FormError } from './form-error';

const ROLES = [
  { value: 'partner_admin', label: 'Partner admin' },
  { value: 'partner_viewer', label: 'Partner viewer (read only)' },
];

/**
 * POST /users with a partner role: without a password the hub mails an invitation link (on the
 * partner's verified domain once it has one); with one, the person can sign in right away.
 */
export function PartnerAdminForm({ partners }: { partners: Partner[] }) {
  const [partnerId, setPartnerId] = useState('');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [role, setRole] = useState('partner_admin');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const add = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await api('/users', { body: { email: email.trim(), role, partnerId, ...(password ? { password } : {}) } });
      toast(password ? 'User added' : 'Invitation sent', {
        tone: 'success',
        description: password ? `${email.trim()} can now sign in` : `${email.trim()} gets a link to choose a password`,
      });
      setEmail('');
      setPassword('');
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form
      onSubmit={add}
      className="flex flex-col gap-3"
      aria-label="Add a partner user"
      data-testid="partner-user-form"
    >
      <div className="grid gap-3 sm:grid-cols-2">
        <div className="flex flex-col gap-1.5">
          <Label>Partner</Label>
          <SimpleSelect
            aria-label="Partner of the user"
            placeholder="Choose a partner"
            value={partnerId}
            onValueChange={setPartnerId}
            options={partners.map((p) => ({ value: p.id, label: p.name }))}
          />
        </div>
        <div className="flex flex-col gap-1.5">
          <Label>Role</Label>
          <SimpleSelect aria-label="Partner role" value={role} onValueChange={setRole} options={ROLES} />
        </div>
        <div className="flex flex-col gap-1.5">
          <Label htmlFor="partner-user-email">Email</Label>
          <Input
            id="partner-user-email"
            type="email"
            autoComplete="off"
            value={email}
            onChange={(e) => setEmail(e.target.value)}
          />
        </div>
        <div className="flex flex-col gap-1.5">
          <Label htmlFor="partner-user-password">Password</Label>
          <Input
            id="partner-user-password"
            type="password"
            autoComplete="new-password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            aria-describedby="partner-user-password-hint"
          />
          <p id="partner-user-password-hint" className="text-[11px] text-muted-foreground">
            Leave it empty to mail an invitation link instead.
          </p>
        </div>
      </div>
      <FormError error={error} />
      <div>
        <Button type="submit" variant="accent" disabled={busy || !partnerId || !email.trim()}>
          {busy ? <Loader2 className="animate-spin" /> : <UserPlus />} {password ? 'Add user' : 'Send invitation'}
        </Button>
      </div>
    </form>
  );
}
