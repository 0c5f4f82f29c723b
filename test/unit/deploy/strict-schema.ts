import * as path from 'node:path';

import * as ts from 'typescript';

import { REPO_ROOT } from './deploy-files';

/**
 * Unknown-field check, as kubeconform -strict does: every key of a manifest must
 * be a property the schema names. kubernetes-models validates with its compiled
 * OpenAPI schemas, which allow extra properties; its type declarations are
 * generated from the same schemas and list the known properties, so the walk
 * follows those, through the TypeScript compiler.
 */

/** apiVersion/kind → the kubernetes-models module and interface that describe it. */
const ROOT_TYPES: Readonly<Record<string, readonly [module: string, type: string]>> = {
  'v1/Namespace': ['kubernetes-models/v1/Namespace', 'INamespace'],
  'v1/ConfigMap': ['kubernetes-models/v1/ConfigMap', 'IConfigMap'],
  'v1/Secret': ['kubernetes-models/v1/Secret', 'ISecret'],
  'v1/Service': ['kubernetes-models/v1/Service', 'IService'],
  'v1/PersistentVolumeClaim': [
    'kubernetes-models/v1/PersistentVolumeClaim',
    'IPersistentVolumeClaim',
  ],
  'apps/v1/Deployment': ['kubernetes-models/apps/v1/Deployment', 'IDeployment'],
  'apps/v1/StatefulSet': ['kubernetes-models/apps/v1/StatefulSet', 'IStatefulSet'],
  'autoscaling/v2/HorizontalPodAutoscaler': [
    'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler',
    'IHorizontalPodAutoscaler',
  ],
  'policy/v1/PodDisruptionBudget': [
    'kubernetes-models/policy/v1/PodDisruptionBudget',
    'IPodDisruptionBudget',
  ],
  'keda.sh/v1alpha1/ScaledObject': [
    '@kubernetes-models/keda/keda.sh/v1alpha1/ScaledObject',
    'IScaledObject',
  ],
  'keda.sh/v1alpha1/TriggerAuthentication': [
    '@kubernetes-models/keda/keda.sh/v1alpha1/TriggerAuthentication',
    'ITriggerAuthentication',
  ],
};

/**
 * A trigger's metadata is a free string map in KEDA's CRD, so the schema cannot
 * catch a misspelled key; these are the parameters of KEDA's `redis` (lists)
 * scaler, from its documentation (keda.sh/docs/2.16/scalers/redis-lists).
 */
const TRIGGER_PARAMETERS: Readonly<Record<string, readonly string[]>> = {
  redis: [
    'address',
    'addressFromEnv',
    'host',
    'hostFromEnv',
    'port',
    'portFromEnv',
    'usernameFromEnv',
    'passwordFromEnv',
    'listName',
    'listLength',
    'activationListLength',
    'enableTLS',
    'unsafeSsl',
    'databaseIndex',
  ],
};

interface Schemas {
  readonly checker: ts.TypeChecker;
  readonly roots: ts.Type;
}

const ROOTS_FILE = path.join(REPO_ROOT, 'test/unit/deploy/__strict-schema-roots__.ts');

let loaded: Schemas | undefined;

/** One TypeScript program over the declarations of every root type, built once per test file. */
function schemas(): Schemas {
  if (loaded !== undefined) {
    return loaded;
  }

  const entries = Object.entries(ROOT_TYPES);
  const source = [
    ...entries.map(([, [module, type]], i) => `import type { ${type} as T${i} } from '${module}';`),
    'export interface Roots {',
    ...entries.map(([key], i) => `  '${key}': T${i};`),
    '}',
  ].join('\n');
  const options: ts.CompilerOptions = {
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    types: [],
    module: ts.ModuleKind.CommonJS,
    moduleResolution: ts.ModuleResolutionKind.Node10,
    target: ts.ScriptTarget.ES2022,
  };
  const host = ts.createCompilerHost(options);
  const readFile = host.readFile.bind(host);
  const fileExists = host.fileExists.bind(host);
  const getSourceFile = host.getSourceFile.bind(host);
  host.readFile = (file) => (file === ROOTS_FILE ? source : readFile(file));
  host.fileExists = (file) => file === ROOTS_FILE || fileExists(file);
  host.getSourceFile = (file, language, onError) =>
    file === ROOTS_FILE
      ? ts.createSourceFile(file, source, language)
      : getSourceFile(file, language, onError);

  const program = ts.createProgram([ROOTS_FILE], options, host);
  const checker = program.getTypeChecker();
  const file = program.getSourceFile(ROOTS_FILE)!;
  const symbol = checker.getSymbolAtLocation(file)!;
  const rootsSymbol = checker.getExportsOfModule(symbol).find((s) => s.name === 'Roots')!;
  loaded = { checker, roots: checker.getDeclaredTypeOfSymbol(rootsSymbol) };
  return loaded;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The object-like members of a (possibly union) type that a JSON object can match. */
function objectMembers(checker: ts.TypeChecker, type: ts.Type): ts.Type[] {
  const members = type.isUnion() ? type.types : [type];
  return members.filter(
    (member) => (member.flags & ts.TypeFlags.Object) !== 0 && !checker.isArrayType(member),
  );
}

function walk(
  checker: ts.TypeChecker,
  value: unknown,
  declared: ts.Type,
  at: string,
  problems: string[],
): void {
  const type = checker.getNonNullableType(declared);

  if (
    value === null ||
    value === undefined ||
    (type.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) !== 0
  ) {
    return;
  }

  if (Array.isArray(value)) {
    const arrays = (type.isUnion() ? type.types : [type]).filter((t) => checker.isArrayType(t));
    const element =
      arrays.length > 0 ? checker.getTypeArguments(arrays[0] as ts.TypeReference)[0] : undefined;
    value.forEach(
      (item, i) => element !== undefined && walk(checker, item, element, `${at}[${i}]`, problems),
    );
    return;
  }

  if (!isObject(value)) {
    return;
  }

  for (const member of objectMembers(checker, type)) {
    const mapped = checker.getIndexTypeOfType(member, ts.IndexKind.String);
    if (mapped !== undefined) {
      for (const [key, item] of Object.entries(value)) {
        walk(checker, item, mapped, `${at}.${key}`, problems);
      }
      return;
    }

    const known = checker.getPropertiesOfType(member);
    if (known.length === 0) {
      return;
    }
    for (const [key, item] of Object.entries(value)) {
      const property = member.getProperty(key);
      if (property === undefined) {
        problems.push(`${at}.${key}: unknown field`);
      } else {
        walk(checker, item, checker.getTypeOfSymbol(property), `${at}.${key}`, problems);
      }
    }
    return;
  }
}

function triggerProblems(object: Record<string, unknown>, name: string): string[] {
  const spec = object.spec as { triggers?: { type?: string; metadata?: Record<string, string> }[] };

  return (spec.triggers ?? []).flatMap((trigger, i) => {
    const known = TRIGGER_PARAMETERS[trigger.type ?? ''];
    const at = `${name}.spec.triggers[${i}].metadata`;
    if (known === undefined) {
      return [`${at}: no parameter list known for trigger type ${String(trigger.type)}`];
    }
    return Object.keys(trigger.metadata ?? {})
      .filter((key) => !known.includes(key))
      .map((key) => `${at}.${key}: unknown ${String(trigger.type)} scaler parameter`);
  });
}

/** Fields of one manifest that its schema does not name; empty when there are none. */
export function unknownFieldProblems(object: Record<string, unknown>): string[] {
  const type = `${String(object.apiVersion)}/${String(object.kind)}`;
  const { checker, roots } = schemas();
  const root = roots.getProperty(type);
  const name = `${String(object.kind)}/${String((object.metadata as { name?: string } | undefined)?.name)}`;

  if (root === undefined) {
    return [`no schema known for ${type}`];
  }

  const problems: string[] = [];
  walk(checker, object, checker.getTypeOfSymbol(root), name, problems);
  return object.kind === 'ScaledObject'
    ? [...problems, ...triggerProblems(object, name)]
    : problems;
}
