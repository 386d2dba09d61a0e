/** Agents: CRUD, a manual run, and their runs, posts and stats. */
import { seg, type CallOptions, type Http, type SignalOption } from '../http.ts';
import type {
  Agent,
  AgentCreateBody,
  AgentDeleted,
  AgentOutputsPage,
  AgentOutputsQuery,
  AgentPatchBody,
  AgentRun,
  AgentRunAccepted,
  AgentRunsPage,
  AgentsPage,
  AgentStats,
  AgentStatsQuery,
  AgentSchedulePreview,
  AgentSchedulePreviewQuery,
  PageQuery,
} from '../types.ts';

export function agentMethods(http: Http) {
  const path = (agentId: string) => `/agents/${seg(agentId)}`;
  return {
    create: (body: AgentCreateBody, o: CallOptions = {}) => http.data<Agent>('POST', '/agents', { ...o, json: body }),
    list: (query: PageQuery = {}, o: SignalOption = {}) => http.data<AgentsPage>('GET', '/agents', { ...o, query }),
    get: (agentId: string, o: SignalOption = {}) => http.data<Agent>('GET', path(agentId), o),
    /** The next runs of a schedule in a timezone, as the scheduler would fire them (422 naming a bad field). */
    schedulePreview: (query: AgentSchedulePreviewQuery, o: SignalOption = {}) =>
      http.data<AgentSchedulePreview>('GET', '/agents/schedule-preview', { ...o, query }),
    /** Changes only the fields given. */
    update: (agentId: string, body: AgentPatchBody, o: SignalOption = {}) => http.data<Agent>('PATCH', path(agentId), { ...o, json: body }),
    delete: (agentId: string, o: SignalOption = {}) => http.data<AgentDeleted>('DELETE', path(agentId), o),
    /** Queues a run now; its `runId` is also a job ID (`waitFor`, `streamEvents`). */
    run: (agentId: string, o: CallOptions = {}) => http.data<AgentRunAccepted>('POST', `${path(agentId)}/run`, o),
    runs: (agentId: string, query: PageQuery = {}, o: SignalOption = {}) => http.data<AgentRunsPage>('GET', `${path(agentId)}/runs`, { ...o, query }),
    /** One run; with `wait`, held until its status changes. */
    getRun: (agentId: string, runId: string, o: SignalOption & { wait?: number } = {}) =>
      http.data<AgentRun>('GET', `${path(agentId)}/runs/${seg(runId)}`, { ...o, query: { wait: o.wait } }),
    outputs: (agentId: string, query: AgentOutputsQuery = {}, o: SignalOption = {}) =>
      http.data<AgentOutputsPage>('GET', `${path(agentId)}/outputs`, { ...o, query }),
    stats: (agentId: string, query: AgentStatsQuery = {}, o: SignalOption = {}) => http.data<AgentStats>('GET', `${path(agentId)}/stats`, { ...o, query }),
  };
}
