/**
 * Reads every YAML file in k8s/ (multi-document safe) and checks the invariants of the keywatch
 * deployment. Each check returns problems (empty when it holds), so tests can show what broke,
 * and the same checks can run on deliberately broken copies of the manifests.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { REPO_ROOT } from './dockerfile';

export const K8S_DIR = path.join(REPO_ROOT, 'k8s');
export const NAMESPACE = 'keywatch';
export const APP_LABEL = { key: 'app.kubernetes.io/name', value: 'keywatch' };
export const KUSTOMIZATION = 'kustomization.yaml';
export const SECRET_SAMPLE = 'secret.sample.yaml';
export const HTTP_PORT = 8000;

/** Settings keywatch reads (the brief's list). */
export const KNOWN_VARIABLES = [
  'PORT',
  'KEYWATCH_API_USER',
  'KEYWATCH_API_PASSWORD',
  'KEYWATCH_DB_PATH',
  'AWS_REGION',
  'KEYWATCH_IAM_ENDPOINT',
  'KEYWATCH_IAM_RATE',
  'KEYWATCH_IAM_CONCURRENCY',
  'KEYWATCH_SCAN_SCHEDULE',
  'KEYWATCH_SCAN_TIMEZONE',
  'KEYWATCH_TARGET',
  'KEYWATCH_METRICS_TOKEN',
  'KEYWATCH_SHUTDOWN_GRACE_S',
  'KEYWATCH_LOG_LEVEL',
  'KEYWATCH_REPORT_TIMEOUT_S',
  'KEYWATCH_RETENTION_DAYS',
  'KEYWATCH_WEBHOOK_URL',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
] as const;

/** Never in a ConfigMap: these belong in the Secret. */
export const SECRET_VARIABLES = ['KEYWATCH_API_PASSWORD', 'KEYWATCH_METRICS_TOKEN', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN'];

/** Per-check settings (src/checks/settings.ts): KEYWATCH_CHECK_<CHECK>_<SETTING>. */
const CHECK_SETTING = /^KEYWATCH_CHECK_[A-Z0-9_]+$/;

/** Variables that src/config.ts validates, so a ConfigMap may carry settings added there later. */
export function configVariables(): string[] {
  const file = path.join(REPO_ROOT, 'src', 'config.ts');
  if (!existsSync(file)) return [];
  return [...new Set(readFileSync(file, 'utf8').match(/\b(?:KEYWATCH_[A-Z0-9_]+|AWS_[A-Z0-9_]+|PORT)\b/g) ?? [])];
}

/** A placeholder, never a real value. */
export const isPlaceholder = (v: unknown): boolean => typeof v === 'string' && /change-me/i.test(v) && !/\b(AKIA|ASIA)[0-9A-Z]{16}\b/.test(v);

// Parsed Kubernetes objects are free-form JSON.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

export interface Manifest {
  file: string;
  kind: string;
  name: string;
  doc: Json;
}

export interface Bundle {
  /** file name -> text, for every *.yaml / *.yml in k8s/ */
  texts: Record<string, string>;
  manifests: Manifest[];
  kustomization: Json | null;
  parseErrors: string[];
}

export function readK8sDir(dir = K8S_DIR): Record<string, string> {
  const texts: Record<string, string> = {};
  for (const f of readdirSync(dir).sort()) if (/\.ya?ml$/.test(f)) texts[f] = readFileSync(path.join(dir, f), 'utf8');
  return texts;
}

export function loadBundle(texts: Record<string, string>): Bundle {
  const manifests: Manifest[] = [];
  const parseErrors: string[] = [];
  let kustomization: Json | null = null;
  for (const [file, text] of Object.entries(texts)) {
    for (const doc of parseAllDocuments(text)) {
      if ('errors' in doc && doc.errors.length > 0) {
        parseErrors.push(...doc.errors.map((e) => `${file}: ${e.message}`));
        continue;
      }
      const json: Json = doc.toJS();
      if (json === null || json === undefined) continue;
      if (file === KUSTOMIZATION) {
        kustomization = json;
        continue;
      }
      if (typeof json !== 'object' || !json.apiVersion || !json.kind || !json.metadata?.name) {
        parseErrors.push(`${file}: a document without apiVersion, kind and metadata.name`);
        continue;
      }
      manifests.push({ file, kind: json.kind, name: json.metadata.name, doc: json });
    }
  }
  return { texts, manifests, kustomization, parseErrors };
}

const quantity = (q: unknown): number => {
  const s = String(q);
  const m = /^([0-9.]+)(m|Ki|Mi|Gi|Ti|K|M|G|T)?$/.exec(s);
  if (!m) return NaN;
  const unit: Record<string, number> = { m: 1e-3, Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, K: 1e3, M: 1e6, G: 1e9, T: 1e12 };
  return Number(m[1]) * (m[2] ? unit[m[2]] : 1);
};

const subset = (small: Record<string, string> | undefined, big: Record<string, string> | undefined): boolean =>
  !!small && Object.keys(small).length > 0 && Object.entries(small).every(([k, v]) => big?.[k] === v);

export function checkK8s(bundle: Bundle) {
  const { manifests, kustomization, texts } = bundle;
  const ofKind = (kind: string) => manifests.filter((m) => m.kind === kind);
  const one = (kind: string): Manifest | undefined => ofKind(kind)[0];
  const fromFile = (file: string) => manifests.filter((m) => m.file === file);

  const deployment = one('Deployment');
  const pod: Json = deployment?.doc.spec?.template?.spec ?? {};
  const containers: Json[] = pod.containers ?? [];
  const container: Json = containers.find((c) => c.name === 'keywatch') ?? containers[0] ?? {};
  const configMaps = ofKind('ConfigMap');
  const configData: Record<string, unknown> = Object.assign({}, ...configMaps.map((c) => c.doc.data ?? {}));

  /** The container port a probe or Service targets, resolving named ports. */
  const containerPort = (port: unknown): number | undefined => {
    if (typeof port === 'number') return port;
    return (container.ports ?? []).find((p: Json) => p.name === port)?.containerPort;
  };

  const need = (m: Manifest | undefined, kind: string): string[] => (m ? [] : [`no ${kind} in k8s/`]);

  return {
    deployment,
    pod,
    container,

    parse(): string[] {
      return [...bundle.parseErrors, ...(kustomization ? [] : [`k8s/${KUSTOMIZATION} is missing or empty`])];
    },

    namespace(): string[] {
      const problems: string[] = [];
      if (!ofKind('Namespace').some((n) => n.name === NAMESPACE)) problems.push(`no Namespace ${NAMESPACE}`);
      for (const m of manifests) {
        if (m.kind === 'Namespace') continue;
        if (m.doc.metadata.namespace !== NAMESPACE) problems.push(`${m.file}: ${m.kind}/${m.name} is in namespace "${m.doc.metadata.namespace ?? '(none)'}", not ${NAMESPACE}`);
      }
      if (kustomization && kustomization.namespace !== NAMESPACE) problems.push(`kustomization namespace is "${kustomization.namespace}", not ${NAMESPACE}`);
      return problems;
    },

    labels(): string[] {
      const problems: string[] = [];
      for (const m of manifests) {
        if (m.doc.metadata.labels?.[APP_LABEL.key] !== APP_LABEL.value) problems.push(`${m.file}: ${m.kind}/${m.name} lacks ${APP_LABEL.key}: ${APP_LABEL.value}`);
      }
      const common = { ...(kustomization?.commonLabels ?? {}), ...Object.assign({}, ...((kustomization?.labels ?? []) as Json[]).map((l) => l.pairs ?? {})) };
      if (common[APP_LABEL.key] !== APP_LABEL.value) problems.push(`kustomization sets no common label ${APP_LABEL.key}: ${APP_LABEL.value}`);
      return problems;
    },

    deploymentShape(): string[] {
      if (!deployment) return need(deployment, 'Deployment');
      const problems: string[] = [];
      if (ofKind('Deployment').length !== 1) problems.push(`expected one Deployment, found ${ofKind('Deployment').length}`);
      const spec = deployment.doc.spec;
      if (spec.replicas !== 1) problems.push(`replicas is ${spec.replicas}: SQLite has one writer, it must be 1`);
      if (spec.strategy?.type !== 'Recreate') problems.push(`strategy is ${spec.strategy?.type ?? 'RollingUpdate (default)'}: must be Recreate so two pods never share the database`);
      if (!subset(spec.selector?.matchLabels, spec.template?.metadata?.labels)) problems.push('selector.matchLabels do not match the pod template labels');
      if (container.name !== 'keywatch') problems.push('no container named keywatch');
      if (containerPort('http') !== HTTP_PORT) problems.push(`the container has no port named http = ${HTTP_PORT}`);
      if (!container.image) problems.push('the container has no image');
      if (pod.enableServiceLinks !== false) problems.push('enableServiceLinks must be false: the Service "keywatch" would inject KEYWATCH_PORT=tcp://... and friends');
      return problems;
    },

    probes(): string[] {
      const problems: string[] = [];
      const expect = { startupProbe: '/api/health', livenessProbe: '/api/health', readinessProbe: '/api/ready' } as const;
      for (const [probe, wanted] of Object.entries(expect)) {
        const p = container[probe];
        if (!p) {
          problems.push(`${probe} missing`);
          continue;
        }
        if (p.httpGet?.path !== wanted) problems.push(`${probe} path is ${p.httpGet?.path ?? '(not httpGet)'}, expected ${wanted}`);
        if (containerPort(p.httpGet?.port) !== HTTP_PORT) problems.push(`${probe} port ${p.httpGet?.port} does not reach container port ${HTTP_PORT}`);
      }
      return problems;
    },

    resources(): string[] {
      const problems: string[] = [];
      for (const c of containers) {
        for (const side of ['requests', 'limits'] as const) {
          for (const res of ['cpu', 'memory'] as const) {
            if (c.resources?.[side]?.[res] === undefined) problems.push(`${c.name}: resources.${side}.${res} not set`);
          }
        }
        for (const res of ['cpu', 'memory'] as const) {
          const req = quantity(c.resources?.requests?.[res]);
          const lim = quantity(c.resources?.limits?.[res]);
          if (req > lim) problems.push(`${c.name}: ${res} request ${c.resources.requests[res]} exceeds the limit ${c.resources.limits[res]}`);
        }
      }
      return problems;
    },

    securityContext(expectedUid?: number): string[] {
      const problems: string[] = [];
      const psc = pod.securityContext ?? {};
      if (psc.runAsNonRoot !== true) problems.push('pod securityContext.runAsNonRoot must be true');
      if (!(psc.runAsUser > 0)) problems.push(`pod securityContext.runAsUser must be a non-zero UID, got ${psc.runAsUser}`);
      if (expectedUid !== undefined && psc.runAsUser !== expectedUid) problems.push(`pod runAsUser ${psc.runAsUser} differs from the image's USER ${expectedUid}`);
      if (!(psc.fsGroup > 0)) problems.push('pod securityContext.fsGroup must be set so the volume (and the IRSA token) is readable');
      for (const c of containers) {
        const sc = c.securityContext ?? {};
        if (sc.runAsNonRoot === false) problems.push(`${c.name}: runAsNonRoot false`);
        if (sc.runAsUser === 0) problems.push(`${c.name}: runAsUser 0`);
        if (sc.readOnlyRootFilesystem !== true) problems.push(`${c.name}: readOnlyRootFilesystem must be true`);
        if (sc.allowPrivilegeEscalation !== false) problems.push(`${c.name}: allowPrivilegeEscalation must be false`);
        if (sc.privileged === true) problems.push(`${c.name}: privileged`);
        if (!(sc.capabilities?.drop ?? []).includes('ALL')) problems.push(`${c.name}: capabilities must drop ALL`);
        if ((sc.capabilities?.add ?? []).length > 0) problems.push(`${c.name}: adds capabilities ${sc.capabilities.add.join(', ')}`);
        const seccomp = sc.seccompProfile?.type ?? psc.seccompProfile?.type;
        if (seccomp !== 'RuntimeDefault' && seccomp !== 'Localhost') problems.push(`${c.name}: seccompProfile must be RuntimeDefault`);
      }
      return problems;
    },

    volumes(): string[] {
      const problems: string[] = [];
      const mounts: Json[] = container.volumeMounts ?? [];
      const volume = (mountPath: string) => {
        const mount = mounts.find((m) => m.mountPath === mountPath);
        return mount ? (pod.volumes ?? []).find((v: Json) => v.name === mount.name) : undefined;
      };
      const data = volume('/data');
      const claim = data?.persistentVolumeClaim?.claimName;
      if (!claim) problems.push('/data is not mounted from a PersistentVolumeClaim');
      else {
        const pvc = ofKind('PersistentVolumeClaim').find((p) => p.name === claim);
        if (!pvc) problems.push(`/data uses PVC ${claim}, which k8s/ does not define`);
        else {
          if (!(pvc.doc.spec?.accessModes ?? []).includes('ReadWriteOnce')) problems.push(`PVC ${claim} is not ReadWriteOnce`);
          if (!pvc.doc.spec?.resources?.requests?.storage) problems.push(`PVC ${claim} requests no storage`);
        }
      }
      if (!volume('/tmp')?.emptyDir) problems.push('/tmp is not mounted from an emptyDir (the root filesystem is read-only)');
      const dbPath = configData.KEYWATCH_DB_PATH;
      if (dbPath !== undefined && !String(dbPath).startsWith('/data/')) problems.push(`KEYWATCH_DB_PATH ${dbPath} is not on the /data volume`);
      return problems;
    },

    shutdown(): string[] {
      const grace = Number(configData.KEYWATCH_SHUTDOWN_GRACE_S ?? 25);
      const tgps = pod.terminationGracePeriodSeconds ?? 30;
      return tgps > grace ? [] : [`terminationGracePeriodSeconds ${tgps} must exceed KEYWATCH_SHUTDOWN_GRACE_S ${grace}`];
    },

    serviceAccount(): string[] {
      const problems: string[] = [];
      const sa = ofKind('ServiceAccount').find((s) => s.name === pod.serviceAccountName);
      if (!pod.serviceAccountName) problems.push('the pod sets no serviceAccountName');
      else if (!sa) problems.push(`serviceAccountName ${pod.serviceAccountName} matches no ServiceAccount in k8s/`);
      else {
        const arn = sa.doc.metadata.annotations?.['eks.amazonaws.com/role-arn'];
        if (!/^arn:aws[a-z-]*:iam::(<ACCOUNT_ID>|\d{12}):role\/[\w+=,.@/-]+$/.test(arn ?? '')) problems.push(`ServiceAccount ${sa.name} has no valid eks.amazonaws.com/role-arn annotation (IRSA), got ${arn}`);
        if (sa.doc.automountServiceAccountToken === false) problems.push(`ServiceAccount ${sa.name} disables token automount, which IRSA needs`);
      }
      if (pod.automountServiceAccountToken === false) problems.push('the pod disables token automount, which IRSA needs');
      return problems;
    },

    envFrom(): string[] {
      const problems: string[] = [];
      const from: Json[] = container.envFrom ?? [];
      const cmRef = from.find((e) => e.configMapRef)?.configMapRef?.name;
      const secretRef = from.find((e) => e.secretRef)?.secretRef?.name;
      if (!cmRef || !configMaps.some((c) => c.name === cmRef)) problems.push(`envFrom configMapRef ${cmRef} matches no ConfigMap in k8s/`);
      const sample = fromFile(SECRET_SAMPLE).find((m) => m.kind === 'Secret');
      if (!secretRef || secretRef !== sample?.name) problems.push(`envFrom secretRef ${secretRef} is not the Secret of ${SECRET_SAMPLE} (${sample?.name})`);
      for (const e of (container.env ?? []) as Json[]) {
        if (SECRET_VARIABLES.includes(e.name) && e.value !== undefined) problems.push(`env ${e.name} has an inline value: use the Secret`);
      }
      return problems;
    },

    secretSample(): string[] {
      const text = texts[SECRET_SAMPLE];
      if (text === undefined) return [`k8s/${SECRET_SAMPLE} is missing`];
      const problems: string[] = [];
      const secrets = fromFile(SECRET_SAMPLE);
      if (secrets.length !== 1 || secrets[0].kind !== 'Secret') problems.push(`${SECRET_SAMPLE} must hold exactly one Secret`);
      const values: [string, unknown][] = [];
      for (const s of secrets) {
        for (const [k, v] of Object.entries(s.doc.stringData ?? {})) values.push([k, v]);
        for (const [k, v] of Object.entries(s.doc.data ?? {})) values.push([k, Buffer.from(String(v), 'base64').toString('utf8')]);
      }
      // Commented-out keys are part of the sample too: someone will uncomment them.
      for (const m of text.matchAll(/^\s*#\s*([A-Z][A-Z0-9_]*)\s*:\s*(\S.*)$/gm)) values.push([m[1], m[2].trim()]);
      if (values.length === 0) problems.push(`${SECRET_SAMPLE} lists no keys`);
      for (const [k, v] of values) {
        if (!isPlaceholder(v)) problems.push(`${SECRET_SAMPLE}: ${k} is not a placeholder (use change-me)`);
        if (!(KNOWN_VARIABLES as readonly string[]).includes(k) && !SECRET_VARIABLES.includes(k)) problems.push(`${SECRET_SAMPLE}: ${k} is not a keywatch or AWS setting`);
      }
      if (!values.some(([k]) => k === 'KEYWATCH_API_PASSWORD')) problems.push(`${SECRET_SAMPLE} does not show KEYWATCH_API_PASSWORD`);
      return problems;
    },

    configMap(): string[] {
      if (configMaps.length === 0) return ['no ConfigMap in k8s/'];
      const problems: string[] = [];
      const allowed = new Set<string>([...KNOWN_VARIABLES, ...configVariables()]);
      for (const cm of configMaps) {
        for (const [k, v] of Object.entries(cm.doc.data ?? {})) {
          if (SECRET_VARIABLES.includes(k)) problems.push(`ConfigMap ${cm.name}: ${k} is a secret and belongs in the Secret`);
          else if (!allowed.has(k) && !CHECK_SETTING.test(k)) problems.push(`ConfigMap ${cm.name}: ${k} is not a known keywatch setting`);
          if (typeof v !== 'string') problems.push(`ConfigMap ${cm.name}: ${k} must be a string (quote it), got ${typeof v}`);
        }
      }
      if (configData.PORT !== undefined && Number(configData.PORT) !== containerPort('http')) problems.push(`PORT ${configData.PORT} differs from the container port ${containerPort('http')}`);
      return problems;
    },

    service(): string[] {
      const svc = one('Service');
      if (!svc) return need(svc, 'Service');
      const problems: string[] = [];
      const spec = svc.doc.spec ?? {};
      if ((spec.type ?? 'ClusterIP') !== 'ClusterIP') problems.push(`Service type is ${spec.type}, expected ClusterIP`);
      const http = (spec.ports ?? []).find((p: Json) => p.name === 'http');
      if (!http || http.port !== HTTP_PORT) problems.push(`Service has no port named http = ${HTTP_PORT}`);
      else if (containerPort(http.targetPort ?? http.port) !== HTTP_PORT) problems.push(`Service targetPort ${http.targetPort} does not reach the container port`);
      if (!subset(spec.selector, deployment?.doc.spec?.template?.metadata?.labels)) problems.push('Service selector does not match the pod labels');
      return problems;
    },

    pvc(): string[] {
      const pvc = one('PersistentVolumeClaim');
      if (!pvc) return need(pvc, 'PersistentVolumeClaim');
      const problems: string[] = [];
      if (JSON.stringify(pvc.doc.spec?.accessModes) !== JSON.stringify(['ReadWriteOnce'])) problems.push(`PVC accessModes ${JSON.stringify(pvc.doc.spec?.accessModes)}, expected [ReadWriteOnce]`);
      if (quantity(pvc.doc.spec?.resources?.requests?.storage) !== quantity('1Gi')) problems.push(`PVC requests ${pvc.doc.spec?.resources?.requests?.storage}, expected 1Gi`);
      return problems;
    },

    kustomizationResources(): string[] {
      if (!kustomization) return [`k8s/${KUSTOMIZATION} is missing`];
      const problems: string[] = [];
      const listed: string[] = kustomization.resources ?? [];
      const files = Object.keys(texts).filter((f) => f !== KUSTOMIZATION);
      if (listed.includes(SECRET_SAMPLE)) problems.push(`${SECRET_SAMPLE} must not be listed: apply -k would overwrite the real Secret with placeholders`);
      for (const f of files) if (f !== SECRET_SAMPLE && !listed.includes(f)) problems.push(`${f} exists but kustomization.yaml does not list it`);
      for (const f of listed) if (!files.includes(f)) problems.push(`kustomization.yaml lists ${f}, which does not exist in k8s/`);
      return problems;
    },
  };
}
