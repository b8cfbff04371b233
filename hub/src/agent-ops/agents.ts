/** The ops agents the hub knows; each is one service account `agent-<name>@service.deepsignal`. */
export const AGENT_NAMES = ['orchestrator', 'security', 'support', 'billing', 'onboarding', 'learning'] as const;
export type AgentName = (typeof AGENT_NAMES)[number];

export const isAgentName = (s: string): s is AgentName => (AGENT_NAMES as readonly string[]).includes(s);

/** What the hub does with a proposed command type: run it, ask an admin, or refuse it. */
export type ActionMode = 'auto' | 'approve' | 'never';
export const ACTION_MODES: readonly ActionMode[] = ['auto', 'approve', 'never'];

/** An agent's declaration: the narrowest scopes it needs and the policy it starts with. */
export interface AgentDef {
  name: AgentName;
  description: string;
  /**
   * Token scopes. `read` for GET calls, `agent:report` to post findings, proposals and runs (and
   * rotate its own token); nothing can issue a command directly: the hub executes proposals.
   */
  scopes: readonly string[];
  /** Per command type; `*` is every type not named. */
  actions: Record<string, ActionMode>;
}

const REPORT = ['read', 'agent:report'] as const;
/** Types no agent may ever run on its own, whatever an admin set for `*`. */
const NEVER = { 'credentials.rotate': 'never', 'hubkey.rotate': 'never', 'console.open': 'never' } as const;

export const AGENTS: Record<AgentName, AgentDef> = {
  orchestrator: {
    name: 'orchestrator',
    description: 'watches the fleet; proposes restarts, failover, resizes and updates in the window',
    scopes: REPORT,
    actions: {
      'openclaw.restart': 'auto',
      'instance.replace': 'approve',
      'instance.resize': 'approve',
      ...NEVER,
      '*': 'approve',
    },
  },
  security: {
    name: 'security',
    description: 'scans for vulnerabilities, old keys, unusual access and anomalies',
    scopes: REPORT,
    // Its rotations are its job, but an admin approves each one.
    actions: { ...NEVER, 'credentials.rotate': 'approve', 'hubkey.rotate': 'approve', '*': 'approve' },
  },
  support: {
    name: 'support',
    description: 'triages support tickets (notes, drafts, escalations, auto-resolution, article drafts)',
    scopes: [...REPORT, 'support:triage', 'kb:propose'],
    actions: { ...NEVER, '*': 'approve' },
  },
  billing: {
    name: 'billing',
    description: 'runs and reviews the invoices (holds what looks wrong), reminders, cost findings',
    scopes: [...REPORT, 'billing:review'],
    // Cost suggestions are proposals an admin approves; nothing else is ever executed.
    actions: { 'model.set': 'approve', '*': 'never' },
  },
  onboarding: {
    name: 'onboarding',
    description: 'answers onboarding help questions, runs key and channel checks, sends the welcome emails',
    // `onboarding:help`: answer questions, re-run the hub's key/token checks, ask for welcome mails.
    scopes: [...REPORT, 'onboarding:help'],
    actions: { ...NEVER, '*': 'approve' },
  },
  learning: {
    name: 'learning',
    description: 'analyses conversations; proposes persona changes and A/B winners',
    scopes: REPORT,
    // Persona changes only (config.apply of persona files), each approved by a person.
    actions: { ...NEVER, 'config.apply': 'approve', '*': 'never' },
  },
};

/** The email of an agent's service account (unique, so the account is found again). */
export const agentEmail = (name: AgentName) => `agent-${name}@service.deepsignal`;

/** The mode for a command type under an agent's actions map (`*` for any other type, else approve). */
export function modeFor(actions: Record<string, string>, type: string): ActionMode {
  const m = actions[type] ?? actions['*'] ?? 'approve';
  return (ACTION_MODES as readonly string[]).includes(m) ? (m as ActionMode) : 'approve';
}
