'use client';
import { Loader2, Send, UserCog, Users } from 'lucide-react';
import { type FormEvent, useState } from 'react';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { Card, CardContent, CardHeader, CardTitle } from '@/components/ui/card';
import { EmptyState } from '@/components/ui/empty-state';
import { Input, Label } from '@/components/ui/input';
import { SimpleSelect } from '@/components/ui/select';
import { Skeleton } from '@/components/ui/skeleton';
import { toast } from '@/components/ui/toast';
import type { UserView } from '@/lib/admin-types';
import { api } from '@/lib/api';
import { useAuth } from '@/lib/auth';
import { useApi } from '@/lib/use-api';
import { fmtDateTime } from './when';

/**
 * A client's people (GET /users?clientId=): invite a client user (POST /clients/:id/users
 * without a password, so the hub mails a one-time link), disable or enable (PATCH /users/:id).
 */
export function UsersPanel({ clientId }: { clientId: string }) {
  const { user: me } = useAuth();
  const users = useApi<UserView[]>('/users', { query: { clientId } });
  const [busyId, setBusyId] = useState<string | null>(null);

  const setDisabled = async (u: UserView, disabled: boolean) => {
    setBusyId(u.id);
    try {
      const next = await api<UserView>(`/users/${encodeURIComponent(u.id)}`, { method: 'PATCH', body: { disabled } });
      users.setData((list) => (list ?? []).map((x) => (x.id === u.id ? next : x)));
      toast(disabled ? `${u.email} disabled` : `${u.email} enabled`, { tone: 'success' });
    } catch (e) {
      toast('Could not change the user', { tone: 'error', description: (e as Error).message });
    } finally {
      setBusyId(null);
    }
  };

  return (
    <Card data-testid="users-panel">
      <CardHeader className="flex-row items-center justify-between gap-3">
        <CardTitle className="flex items-center gap-2">
          <Users className="size-4 text-accent" /> People
        </CardTitle>
      </CardHeader>
      <CardContent className="flex flex-col gap-4">
        {me?.role === 'admin' && <InviteForm clientId={clientId} onInvited={users.reload} />}
        {users.loading && !users.data ? (
          <Skeleton className="h-24" />
        ) : users.error ? (
          <p className="text-sm text-danger">Could not load users: {users.error}</p>
        ) : !users.data?.length ? (
          <EmptyState icon={UserCog} title="No users for this client yet" />
        ) : (
          <div className="overflow-x-auto">
            <table className="w-full text-sm">
              <thead className="text-left text-xs text-muted-foreground">
                <tr>
                  <th className="py-2 pr-3 font-medium">Email</th>
                  <th className="py-2 pr-3 font-medium">Role</th>
                  <th className="py-2 pr-3 font-medium">Since</th>
                  <th className="py-2 font-medium" />
                </tr>
              </thead>
              <tbody>
                {users.data.map((u) => (
                  <tr key={u.id} className="border-t border-border" data-testid="user-row" data-email={u.email}>
                    <td className="py-2 pr-3">{u.email}</td>
                    <td className="py-2 pr-3">
                      <Badge variant="outline">{u.role.replace('_', ' ')}</Badge>
                      {u.disabled && (
                        <Badge variant="danger" className="ml-1">
                          disabled
                        </Badge>
                      )}
                    </td>
                    <td className="py-2 pr-3 text-muted-foreground">{fmtDateTime(u.createdAt)}</td>
                    <td className="py-2 text-right">
                      {u.id !== me?.id && (
                        <Button
                          size="sm"
                          variant={u.disabled ? 'outline' : 'ghost'}
                          disabled={busyId === u.id}
                          onClick={() => setDisabled(u, !u.disabled)}
                        >
                          {busyId === u.id && <Loader2 className="animate-spin" />}
                          {u.disabled ? 'Enable' : 'Disable'}
                        </Button>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </CardContent>
    </Card>
  );
}

function InviteForm({ clientId, onInvited }: { clientId: string; onInvited: () => void }) {
  const [email, setEmail] = useState('');
  const [role, setRole] = useState('client_viewer');
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    try {
      await api(`/clients/${encodeURIComponent(clientId)}/users`, { body: { email: email.trim(), role } });
      toast('Invitation sent', { tone: 'success', description: `${email.trim()} gets a link valid for 72 hours.` });
      setEmail('');
      onInvited();
    } catch (err) {
      toast('Could not invite', { tone: 'error', description: (err as Error).message });
    } finally {
      setBusy(false);
    }
  };
  return (
    <form onSubmit={submit} className="flex flex-wrap items-end gap-2" data-testid="invite-form">
      <div className="flex min-w-60 flex-1 flex-col gap-1.5">
        <Label htmlFor="invite-email">Invite by email</Label>
        <Input id="invite-email" type="email" required value={email} onChange={(e) => setEmail(e.target.value)} />
      </div>
      <SimpleSelect
        aria-label="Role"
        value={role}
        onValueChange={setRole}
        options={[
          { value: 'client_viewer', label: 'Viewer' },
          { value: 'client_owner', label: 'Owner' },
        ]}
      />
      <Button type="submit" variant="accent" disabled={busy}>
        {busy ? <Loader2 className="animate-spin" /> : <Send />} Invite
      </Button>
    </form>
  );
}
