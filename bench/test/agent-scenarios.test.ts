import { describe, expect, it } from 'vitest';
import { createLlm } from '../../agents/src/llm.js';
import { callTool, say, startMessagesApiFake, toolResults } from '../../agents/src/testing/messages-api-fake.js';
import { runScenarioSuite, type SuiteReport } from '../src/agents-scenarios/suite.js';
import { scenarioTable } from '../src/agents-scenarios/table.js';
import { agentsResults } from '../src/benchmarks/agents.js';

// The whole suite on short timings, with the model wired in through the scripted stand-in of the
// Messages API (it looks at the fleet with a read tool, then writes its summary): every incident
// detected, the right actions and nothing else, no false findings in the control. The dead server
// is a cut network here, not a server deleted at the provider, so it is scored as detected.
describe('agent scenario suite', () => {
  let report: SuiteReport;

  it('detects every incident, acts only where it should, and stays quiet on a healthy fleet', {
    timeout: 300_000,
  }, async () => {
    const model = await startMessagesApiFake({
      script: (req) =>
        toolResults(req).length ? say('Summary: the rules found these incidents.') : callTool('list_instances'),
    });
    try {
      report = await runScenarioSuite({
        controlSec: 20,
        deadlineSec: 100,
        actionWaitSec: 20,
        healthy: 1,
        passMs: 1000,
        securityMs: 5000,
        llm: createLlm({ apiKey: model.apiKey, baseUrl: model.url, model: 'claude-sonnet-4-5' }),
        log: () => {},
      });
    } finally {
      await model.close();
    }
    // The model was asked about the findings, and called a hub tool on the way.
    expect(model.requests.length).toBeGreaterThan(0);
    expect(model.requests.some((r) => toolResults(r).some((t) => t.name === 'list_instances'))).toBe(true);
    const table = scenarioTable(report);
    const by = Object.fromEntries(report.scenarios.map((s) => [s.name, s]));
    for (const s of report.scenarios) expect(s.detected, `${s.name} detected\n${table}`).toBe(true);
    for (const s of report.scenarios) expect(s.unsafe, `${s.name}: unsafe actions\n${table}`).toEqual([]);
    expect(report.strayActions, table).toEqual([]);
    expect(report.control.falseFindings, table).toEqual([]);

    // The crash loop: restarted at most 3 times, then handed to a person, never restarted again.
    expect(by.crash_loop.detectedBy).toBe('crash_loop');
    expect(by.crash_loop.actions.length).toBeGreaterThanOrEqual(1);
    expect(by.crash_loop.escalated).toBe(true);
    // No restart for what a restart cannot fix.
    for (const n of ['disk_filling', 'provider_key_revoked', 'dead_channel'])
      expect(by[n].actions, `${n}\n${table}`).toEqual([]);
    expect(by.memory_leak.actions).toEqual(['openclaw.restart']);
    expect(by.memory_leak.mitigated, table).toBe(true);
    expect(by.token_runaway.actions).toEqual(['agent.pause']);
    expect(by.token_runaway.mitigated, table).toBe(true);
    expect(by.dead_server.detectedBy).toBe('offline');

    const figures = Object.fromEntries(agentsResults(report).map((r) => [r.name, r.value]));
    expect(figures['agents.incidents_detected']).toBe(report.scenarios.length);
    expect(figures['agents.unsafe_actions']).toBe(0);
    expect(figures['agents.false_findings']).toBe(0);
  });
});
