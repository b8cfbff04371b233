/** The parts of Hetzner Cloud API objects the hub reads (field names as on the wire). */

export interface HAction {
  id: number;
  command: string;
  status: 'running' | 'success' | 'error';
  progress: number;
  started: string;
  finished: string | null;
  resources: { id: number; type: string }[];
  error: { code: string; message: string } | null;
}

export interface HPrice {
  location: string;
  price_hourly: { net: string; gross: string };
  price_monthly: { net: string; gross: string };
  included_traffic: number;
  price_per_tb_traffic: { net: string; gross: string };
}

export interface HServerType {
  id: number;
  name: string;
  description: string;
  cores: number;
  memory: number;
  disk: number;
  cpu_type: 'shared' | 'dedicated';
  architecture: 'x86' | 'arm';
  deprecated: boolean | null;
  prices: HPrice[];
  locations: { id: number; name: string; deprecation: unknown }[];
}

export interface HLocation {
  id: number;
  name: string;
  description: string;
  country: string;
  city: string;
  latitude: number;
  longitude: number;
  network_zone: string;
}

export interface HImage {
  id: number;
  type: 'system' | 'app' | 'snapshot' | 'backup';
  status: 'available' | 'creating' | 'unavailable';
  name: string | null;
  description: string;
  os_flavor: string;
  os_version: string | null;
  architecture: 'x86' | 'arm';
  labels: Record<string, string>;
  created: string;
  image_size: number | null;
  disk_size: number;
}

export interface HServer {
  id: number;
  name: string;
  status:
    | 'initializing'
    | 'starting'
    | 'running'
    | 'stopping'
    | 'off'
    | 'deleting'
    | 'migrating'
    | 'rebuilding'
    | 'unknown';
  created: string;
  labels: Record<string, string>;
  public_net: { ipv4: { ip: string } | null; ipv6: { ip: string } | null };
  server_type: HServerType;
  location: HLocation;
  image: HImage | null;
}

export interface HSshKey {
  id: number;
  name: string;
  fingerprint: string;
  public_key: string;
  labels: Record<string, string>;
}

export interface HFirewallRule {
  direction: 'in' | 'out';
  protocol: 'tcp' | 'udp' | 'icmp' | 'esp' | 'gre';
  port?: string | null;
  source_ips?: string[];
  destination_ips?: string[];
  description?: string | null;
}

export interface HFirewall {
  id: number;
  name: string;
  labels: Record<string, string>;
  rules: HFirewallRule[];
}

export interface HPagination {
  page: number;
  per_page: number;
  previous_page: number | null;
  next_page: number | null;
  last_page: number | null;
  total_entries: number | null;
}

export interface CreateServerRequest {
  name: string;
  server_type: string;
  location?: string;
  image: string | number;
  user_data?: string;
  labels?: Record<string, string>;
  ssh_keys?: (string | number)[];
  firewalls?: { firewall: number }[];
  start_after_create?: boolean;
  public_net?: { enable_ipv4?: boolean; enable_ipv6?: boolean };
}

export interface CreateServerResponse {
  server: HServer;
  action: HAction;
  next_actions: HAction[];
  root_password: string | null;
}
