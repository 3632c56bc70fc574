/**
 * Invariants of the Kubernetes manifests in k8s/, read with the `yaml` package (no cluster needed).
 * The "guards" block breaks copies of the real manifests and expects each check to notice.
 */
import { parseDocument } from 'yaml';
import { checkDockerfile, readRepoFile } from './dockerfile';
import { checkK8s, loadBundle, readK8sDir, SECRET_SAMPLE, KUSTOMIZATION, type Bundle } from './manifests';

const TEXTS = readK8sDir();
const k8s = checkK8s(loadBundle(TEXTS));

describe('k8s manifests', () => {
  it('when every YAML file in k8s/ is parsed, then each document is a valid object with kind and name', () => {
    expect(k8s.parse()).toEqual([]);
    expect(Object.keys(TEXTS)).toEqual(
      expect.arrayContaining(['namespace.yaml', 'serviceaccount.yaml', 'configmap.yaml', SECRET_SAMPLE, 'pvc.yaml', 'deployment.yaml', 'service.yaml', KUSTOMIZATION]),
    );
  });

  it('when applied, then every resource lives in namespace keywatch', () => {
    expect(k8s.namespace()).toEqual([]);
  });

  it('when listed, then every resource carries app.kubernetes.io/name: keywatch', () => {
    expect(k8s.labels()).toEqual([]);
  });

  it('when the Deployment rolls out, then it runs one replica with the Recreate strategy', () => {
    expect(k8s.deploymentShape()).toEqual([]);
  });

  it('when the kubelet probes the pod, then startup and liveness hit /api/health and readiness /api/ready on port 8000', () => {
    expect(k8s.probes()).toEqual([]);
  });

  it('when scheduled, then every container sets resource requests and limits', () => {
    expect(k8s.resources()).toEqual([]);
  });

  it('when the pod runs, then it is non-root, read-only, without privilege escalation or capabilities, under RuntimeDefault seccomp', () => {
    const user = checkDockerfile(readRepoFile('Dockerfile'))
      .final.instructions.filter((i) => i.keyword === 'USER')
      .pop()
      ?.args.split(':')[0];
    const uid = user && /^\d+$/.test(user) ? Number(user) : undefined;
    expect(k8s.securityContext(uid)).toEqual([]);
  });

  it('when the pod starts, then /data comes from the ReadWriteOnce PVC and /tmp from an emptyDir', () => {
    expect(k8s.volumes()).toEqual([]);
  });

  it('when the pod is stopped, then terminationGracePeriodSeconds exceeds the app shutdown grace', () => {
    expect(k8s.shutdown()).toEqual([]);
  });

  it('when the pod calls AWS, then it uses the keywatch ServiceAccount with the IRSA role annotation', () => {
    expect(k8s.serviceAccount()).toEqual([]);
  });

  it('when the container gets its settings, then they come from the ConfigMap and the Secret by reference', () => {
    expect(k8s.envFrom()).toEqual([]);
  });

  it('when the secret sample is read, then it holds only placeholder values', () => {
    expect(k8s.secretSample()).toEqual([]);
  });

  it('when the ConfigMap is read, then every key is a known non-secret keywatch, AWS or PORT setting', () => {
    expect(k8s.configMap()).toEqual([]);
  });

  it('when the Service is created, then it is a ClusterIP on port 8000 named http reaching the pod', () => {
    expect(k8s.service()).toEqual([]);
  });

  it('when the volume is claimed, then the PVC is ReadWriteOnce 1Gi', () => {
    expect(k8s.pvc()).toEqual([]);
  });

  it('when applied with -k, then kustomization.yaml lists every manifest except the secret sample', () => {
    expect(k8s.kustomizationResources()).toEqual([]);
  });
});

describe('guards: the checks fail on broken manifests', () => {
  /** A copy of the manifests with one document edited through the yaml AST (comments and layout kept). */
  const edit = (file: string, change: (doc: ReturnType<typeof parseDocument>) => void, docIndex = 0): Bundle => {
    const docs = TEXTS[file].split(/^---\s*$/m);
    const doc = parseDocument(docs[docIndex]);
    change(doc);
    docs[docIndex] = doc.toString();
    return loadBundle({ ...TEXTS, [file]: docs.join('---\n') });
  };
  const c = (b: Bundle) => checkK8s(b);
  const P = ['spec', 'template', 'spec'];
  const C = [...P, 'containers', 0];

  it('when the Deployment is scaled or rolled, then replicas and strategy are reported', () => {
    expect(c(edit('deployment.yaml', (d) => d.setIn(['spec', 'replicas'], 2))).deploymentShape().join()).toMatch(/replicas is 2/);
    expect(c(edit('deployment.yaml', (d) => d.setIn(['spec', 'strategy', 'type'], 'RollingUpdate'))).deploymentShape().join()).toMatch(/Recreate/);
  });

  it('when probes point elsewhere, then they are reported', () => {
    expect(c(edit('deployment.yaml', (d) => d.setIn([...C, 'readinessProbe', 'httpGet', 'path'], '/api/health'))).probes().join()).toMatch(/readinessProbe path/);
    expect(c(edit('deployment.yaml', (d) => d.setIn([...C, 'livenessProbe', 'httpGet', 'port'], 9000))).probes().join()).toMatch(/livenessProbe port 9000/);
    expect(c(edit('deployment.yaml', (d) => d.deleteIn([...C, 'startupProbe']))).probes().join()).toMatch(/startupProbe missing/);
  });

  it('when limits or security settings are dropped, then they are reported', () => {
    expect(c(edit('deployment.yaml', (d) => d.deleteIn([...C, 'resources', 'limits']))).resources().join()).toMatch(/limits\.cpu not set/);
    expect(c(edit('deployment.yaml', (d) => d.setIn([...C, 'securityContext', 'readOnlyRootFilesystem'], false))).securityContext().join()).toMatch(/readOnlyRootFilesystem/);
    expect(c(edit('deployment.yaml', (d) => d.setIn([...C, 'securityContext', 'allowPrivilegeEscalation'], true))).securityContext().join()).toMatch(/allowPrivilegeEscalation/);
    expect(c(edit('deployment.yaml', (d) => d.setIn([...C, 'securityContext', 'capabilities', 'drop'], ['NET_RAW']))).securityContext().join()).toMatch(/drop ALL/);
    expect(c(edit('deployment.yaml', (d) => d.setIn([...P, 'securityContext', 'runAsNonRoot'], false))).securityContext().join()).toMatch(/runAsNonRoot/);
    expect(c(edit('deployment.yaml', (d) => d.setIn([...P, 'securityContext', 'runAsUser'], 1000))).securityContext(10001).join()).toMatch(/differs from the image/);
  });

  it('when volumes change, then /data and /tmp are reported', () => {
    expect(c(edit('deployment.yaml', (d) => d.setIn([...P, 'volumes', 0], { name: 'data', emptyDir: {} }))).volumes().join()).toMatch(/\/data is not mounted from a PersistentVolumeClaim/);
    expect(c(edit('deployment.yaml', (d) => d.deleteIn([...C, 'volumeMounts', 1]))).volumes().join()).toMatch(/\/tmp/);
    expect(c(edit('configmap.yaml', (d) => d.setIn(['data', 'KEYWATCH_DB_PATH'], './data/keywatch.db'))).volumes().join()).toMatch(/not on the \/data volume/);
  });

  it('when the grace period or the service account drift, then they are reported', () => {
    expect(c(edit('deployment.yaml', (d) => d.setIn([...P, 'terminationGracePeriodSeconds'], 20))).shutdown().join()).toMatch(/must exceed/);
    expect(c(edit('deployment.yaml', (d) => d.setIn([...P, 'serviceAccountName'], 'default'))).serviceAccount().join()).toMatch(/matches no ServiceAccount/);
    expect(c(edit('serviceaccount.yaml', (d) => d.deleteIn(['metadata', 'annotations', 'eks.amazonaws.com/role-arn']))).serviceAccount().join()).toMatch(/role-arn/);
  });

  it('when a real value or an unknown key sneaks into the Secret sample or the ConfigMap, then it is reported', () => {
    expect(c(edit(SECRET_SAMPLE, (d) => d.setIn(['stringData', 'KEYWATCH_API_PASSWORD'], 'hunter2'))).secretSample().join()).toMatch(/KEYWATCH_API_PASSWORD is not a placeholder/);
    const commented = loadBundle({ ...TEXTS, [SECRET_SAMPLE]: TEXTS[SECRET_SAMPLE].replace(/# AWS_SECRET_ACCESS_KEY: .*/, '# AWS_SECRET_ACCESS_KEY: wJalrXUtnFEMI/K7MDENG') });
    expect(c(commented).secretSample().join()).toMatch(/AWS_SECRET_ACCESS_KEY is not a placeholder/);
    expect(c(edit('configmap.yaml', (d) => d.setIn(['data', 'KEYWATCH_API_PASSWORD'], 'x'))).configMap().join()).toMatch(/belongs in the Secret/);
    expect(c(edit('configmap.yaml', (d) => d.setIn(['data', 'KEYWATCH_SCAN_SCHEDUEL'], '0 3 * * *'))).configMap().join()).toMatch(/KEYWATCH_SCAN_SCHEDUEL is not a known/);
    expect(c(edit('configmap.yaml', (d) => d.setIn(['data', 'KEYWATCH_IAM_RATE'], 5))).configMap().join()).toMatch(/must be a string/);
  });

  it('when kustomization.yaml drifts from the files, then missing, extra and secret entries are reported', () => {
    const list = (d: ReturnType<typeof parseDocument>, f: (r: string[]) => string[]) => d.set('resources', f(d.toJS().resources));
    expect(c(edit(KUSTOMIZATION, (d) => list(d, (r) => r.filter((x) => x !== 'pvc.yaml')))).kustomizationResources().join()).toMatch(/pvc\.yaml exists but/);
    expect(c(edit(KUSTOMIZATION, (d) => list(d, (r) => [...r, SECRET_SAMPLE]))).kustomizationResources().join()).toMatch(/must not be listed/);
    expect(c(edit(KUSTOMIZATION, (d) => list(d, (r) => [...r, 'ingress.yaml']))).kustomizationResources().join()).toMatch(/ingress\.yaml, which does not exist/);
    expect(c(loadBundle({ ...TEXTS, 'networkpolicy.yaml': 'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: x\n  namespace: keywatch\n' })).kustomizationResources().join()).toMatch(/networkpolicy\.yaml exists/);
  });

  it('when a resource leaves the namespace or the Service stops matching, then it is reported', () => {
    expect(c(edit('pvc.yaml', (d) => d.setIn(['metadata', 'namespace'], 'default'))).namespace().join()).toMatch(/PersistentVolumeClaim\/keywatch-data is in namespace "default"/);
    expect(c(edit('service.yaml', (d) => d.setIn(['spec', 'ports', 0, 'targetPort'], 9000))).service().join()).toMatch(/targetPort/);
    expect(c(edit('service.yaml', (d) => d.setIn(['spec', 'selector'], { app: 'other' }))).service().join()).toMatch(/selector/);
  });

  it('when a file is not valid YAML, then parsing reports it', () => {
    expect(c(loadBundle({ ...TEXTS, 'pvc.yaml': 'kind: [unclosed' })).parse().join()).toMatch(/pvc\.yaml/);
  });
});
