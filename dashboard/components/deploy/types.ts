/** A deployment as GET /deployments/:id returns it (hub/src/deploy/service.ts). */
export interface DeploymentStep {
  name: string;
  status: 'pending' | 'running' | 'done' | 'failed' | 'skipped';
  startedAt: string | null;
  endedAt: string | null;
  detail?: string | null;
  error: string | null;
}

export interface Deployment {
  id: string;
  clientId: string;
  instanceId: string;
  status: 'queued' | 'creating' | 'booting' | 'joining' | 'live' | 'failed' | 'canceled';
  steps: DeploymentStep[];
  server?: {
    provider: string;
    id: number | null;
    name: string;
    serverType: string;
    location: string;
    ipv4: string | null;
    tailnetIp: string | null;
    tailnetName: string | null;
    monthlyPrice: number | null;
  };
  error: { step: string; code: string; message: string } | null;
  cleanup?: Record<string, string> | null;
  createdAt?: string;
}

export interface Catalogue {
  locations: { name: string; description: string; city: string; country: string; networkZone: string }[];
  serverTypes: {
    name: string;
    description: string;
    cores: number;
    memoryGb: number;
    diskGb: number;
    cpuType: string;
    architecture: string;
    monthlyPrice: Record<string, number>;
  }[];
  defaults: { location: string; serverType: string };
}

export const STEP_LABELS: Record<string, string> = {
  reserve: 'Reserve',
  create_server: 'Create server',
  boot: 'Boot',
  join_tailnet: 'Join the private network',
  sidecar_connected: 'Agent connects',
  configured: 'Configure the agent',
  live: 'Live',
};

export const fmtEur = (v: number | null | undefined) =>
  v === null || v === undefined ? '—' : `€${v.toFixed(2)}/month`;
