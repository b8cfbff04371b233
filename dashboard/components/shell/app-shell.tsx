'use client';
import {
  Activity,
  BellRing,
  Bot,
  Building2,
  Gauge,
  Handshake,
  KeyRound,
  LayoutGrid,
  LifeBuoy,
  LogOut,
  Menu,
  Moon,
  Palette,
  Plug,
  Rocket,
  ScrollText,
  Settings,
  Sun,
  User as UserIcon,
  X,
} from 'lucide-react';
import { AnimatePresence, motion } from 'motion/react';
import Link from 'next/link';
import { usePathname, useRouter } from 'next/navigation';
import type * as React from 'react';
import { useState } from 'react';
import { AlertBadge } from '@/components/alerts/alerts-page';
import { Button } from '@/components/ui/button';
import {
  DropdownMenu,
  DropdownMenuContent,
  DropdownMenuItem,
  DropdownMenuLabel,
  DropdownMenuSeparator,
  DropdownMenuTrigger,
} from '@/components/ui/dropdown-menu';
import { isOperator, PARTNER_ROLES, useAuth, useRequireUser } from '@/lib/auth';
import { closeSocket } from '@/lib/live';
import { useTheme } from '@/lib/theme';
import type { Role } from '@/lib/types';
import { cn } from '@/lib/utils';
import { LiveIndicator } from './live-indicator';
import { Logo } from './logo';

type NavItem = { href: string; label: string; icon: typeof Gauge; roles?: readonly Role[] };
const OPERATOR_NAV: NavItem[] = [
  { href: '/fleet/', label: 'Fleet', icon: LayoutGrid },
  { href: '/system/', label: 'System monitor', icon: Activity },
  { href: '/alerts/', label: 'Alerts', icon: BellRing },
  { href: '/operations/', label: 'Batch operations', icon: Rocket },
  { href: '/clients/', label: 'Clients', icon: Building2 },
  { href: '/partners/', label: 'Partners', icon: Handshake },
  { href: '/support/', label: 'Support inbox', icon: LifeBuoy },
  { href: '/agents/', label: 'Agent Ops', icon: Bot },
  { href: '/users/', label: 'Users & tokens', icon: KeyRound, roles: ['admin'] },
  { href: '/settings/', label: 'Client settings', icon: Settings, roles: ['admin'] },
  { href: '/audit/', label: 'Audit log', icon: ScrollText, roles: ['admin'] },
];
// A partner's reduced Mission Control: its clients' instances and its brand, without the operator-only
// screens (system monitor, batch operations, Agent Ops, users, settings, audit).
const PARTNER_NAV: NavItem[] = [
  { href: '/fleet/', label: 'Your clients', icon: LayoutGrid },
  { href: '/brand/', label: 'Brand', icon: Palette },
];
const CLIENT_NAV: NavItem[] = [
  { href: '/client/', label: 'Dashboard', icon: Gauge },
  { href: '/client/help/', label: 'Help', icon: LifeBuoy },
  { href: '/client/integrations/', label: 'Integrations', icon: Plug, roles: ['client_owner'] },
  { href: '/settings/', label: 'Settings', icon: Settings, roles: ['client_owner'] },
];

function Nav({ operator, role, onNavigate }: { operator: boolean; role: Role; onNavigate?: () => void }) {
  const path = usePathname();
  const partner = PARTNER_ROLES.includes(role);
  const items = (operator ? OPERATOR_NAV : partner ? PARTNER_NAV : CLIENT_NAV).filter(
    (i) => !i.roles || i.roles.includes(role),
  );
  return (
    <nav className="flex flex-col gap-1" aria-label="Main">
      <p className="px-3 pb-1 text-[10px] font-semibold tracking-widest text-muted-foreground uppercase">
        {operator || partner ? 'Mission Control' : 'Your agent'}
      </p>
      {items.map(({ href, label, icon: Icon }) => {
        const active =
          path === href || path === href.slice(0, -1) || (href === '/fleet/' && path.startsWith('/instance'));
        return (
          <Link
            key={href}
            href={href}
            onClick={onNavigate}
            className={cn(
              'relative flex items-center gap-3 rounded-lg px-3 py-2 text-sm transition-colors hover:bg-muted',
              active ? 'text-foreground' : 'text-muted-foreground',
            )}
          >
            {active && (
              <motion.span
                layoutId="nav-active"
                className="absolute inset-0 rounded-lg border border-accent/25 bg-accent-soft"
              />
            )}
            <Icon className={cn('relative size-4', active && 'text-accent')} />
            <span className="relative">{label}</span>
            {href === '/alerts/' && <AlertBadge />}
          </Link>
        );
      })}
    </nav>
  );
}

/**
 * Page frame for signed-in users: sidebar (drawer on phones), header with the live indicator,
 * theme toggle and user menu. Renders nothing until the user is known and allowed.
 */
export function AppShell({
  roles,
  title,
  actions,
  children,
}: {
  roles?: readonly Role[];
  title: React.ReactNode;
  actions?: React.ReactNode;
  children: React.ReactNode;
}) {
  const user = useRequireUser(roles);
  const { logout } = useAuth();
  const { theme, toggle } = useTheme();
  const router = useRouter();
  const [open, setOpen] = useState(false);
  if (!user) return null;
  const operator = isOperator(user);
  const signOut = () => {
    closeSocket();
    logout();
    router.replace('/login/');
  };
  return (
    <div className="flex min-h-dvh">
      <aside className="sticky top-0 hidden h-dvh w-60 shrink-0 flex-col gap-6 border-r border-border p-4 lg:flex">
        <Logo className="px-2 pt-1" />
        <Nav operator={operator} role={user.role} />
      </aside>
      <AnimatePresence>
        {open && (
          <motion.div
            className="fixed inset-0 z-40 lg:hidden"
            initial={{ opacity: 0 }}
            animate={{ opacity: 1 }}
            exit={{ opacity: 0 }}
          >
            <button
              type="button"
              aria-label="Close menu"
              className="absolute inset-0 bg-slate-950/60"
              onClick={() => setOpen(false)}
            />
            <motion.aside
              initial={{ x: -280 }}
              animate={{ x: 0 }}
              exit={{ x: -280 }}
              transition={{ type: 'spring', damping: 28, stiffness: 300 }}
              className="relative flex h-full w-64 flex-col gap-6 border-r border-border bg-popover p-4"
            >
              <div className="flex items-center justify-between">
                <Logo />
                <Button variant="ghost" size="icon" onClick={() => setOpen(false)} aria-label="Close menu">
                  <X />
                </Button>
              </div>
              <Nav operator={operator} role={user.role} onNavigate={() => setOpen(false)} />
            </motion.aside>
          </motion.div>
        )}
      </AnimatePresence>
      <div className="flex min-w-0 flex-1 flex-col">
        <header className="sticky top-0 z-30 flex h-14 items-center gap-3 border-b border-border bg-background/70 px-4 backdrop-blur-xl sm:px-6">
          <Button
            variant="ghost"
            size="icon"
            className="lg:hidden"
            onClick={() => setOpen(true)}
            aria-label="Open menu"
          >
            <Menu />
          </Button>
          <h1 className="min-w-0 flex-1 truncate text-base sm:text-lg">{title}</h1>
          {actions}
          <LiveIndicator />
          <Button variant="ghost" size="icon" onClick={toggle} aria-label="Toggle theme" data-testid="theme-toggle">
            {theme === 'dark' ? <Sun /> : <Moon />}
          </Button>
          <DropdownMenu>
            <DropdownMenuTrigger asChild>
              <Button variant="ghost" size="icon" aria-label="Account" data-testid="account-menu">
                <UserIcon />
              </Button>
            </DropdownMenuTrigger>
            <DropdownMenuContent align="end">
              <DropdownMenuLabel>
                <span className="block truncate text-foreground">{user.email}</span>
                <span className="block">{user.role.replace('_', ' ')}</span>
              </DropdownMenuLabel>
              <DropdownMenuSeparator />
              <DropdownMenuItem onSelect={signOut} data-testid="logout">
                <LogOut /> Sign out
              </DropdownMenuItem>
            </DropdownMenuContent>
          </DropdownMenu>
        </header>
        <main className="mx-auto w-full max-w-[1600px] flex-1 p-4 sm:p-6">{children}</main>
      </div>
    </div>
  );
}
