import type { WorldPlacement } from './placement';
/**
 * Kubernetes resource types of the anvil.dev/v1alpha1 API, as plain data.
 * These mirror deploy/crds; the CRD schemas are the source of truth for the wire format.
 */

export const API_GROUP = 'anvil.dev';
export const API_VERSION = 'anvil.dev/v1alpha1';

export const SCOPES = ['cluster', 'region', 'world', 'world-shard', 'session'] as const;
export type Scope = (typeof SCOPES)[number];

export const MULTIPLICITIES = ['1', 'many'] as const;
export type Multiplicity = (typeof MULTIPLICITIES)[number];

export const DEPENDENCY_MODES = ['required', 'optional'] as const;
export type DependencyMode = (typeof DEPENDENCY_MODES)[number];

export const KINDS = [
  'ModuleManifest',
  'GameDefinition',
  'WorldInstance',
  'CapabilityBinding',
] as const;
export type Kind = (typeof KINDS)[number];

export interface ObjectMeta {
  name: string;
  namespace?: string;
  uid?: string;
  generation?: number;
  resourceVersion?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

/** A capability a module offers, at one version and scope. */
export interface ProvidedCapability {
  capabilityId: string;
  version: string;
  scope: Scope;
}

/** A capability a module needs, with the range of versions it accepts. */
export interface RequiredCapability {
  capabilityId: string;
  versionConstraint: string;
  scope: Scope;
  multiplicity: Multiplicity;
  dependencyMode: DependencyMode;
}

/** How a module is reached; `host` defaults to the module's Service name in a cluster. */
export interface ModuleEndpoint {
  port: number;
  protocol: 'grpc' | 'http' | 'socket.io';
  host?: string;
}

export interface ModuleManifestSpec {
  module: string;
  version: string;
  image: string;
  endpoint: ModuleEndpoint;
  provides: ProvidedCapability[];
  requires: RequiredCapability[];
}

export interface ModuleManifest {
  apiVersion: typeof API_VERSION;
  kind: 'ModuleManifest';
  metadata: ObjectMeta;
  spec: ModuleManifestSpec;
}

export interface GameModuleRef {
  name: string;
  /** SemVer range on the module's version; absent means any version. */
  versionConstraint?: string;
}

export interface GameDefinitionSpec {
  description?: string;
  modules: GameModuleRef[];
}

export interface GameDefinition {
  apiVersion: typeof API_VERSION;
  kind: 'GameDefinition';
  metadata: ObjectMeta;
  spec: GameDefinitionSpec;
}

export interface WorldLimits {
  maxPlayers?: number;
  tickRateHz?: number;
}

export interface WorldInstanceSpec {
  /** Name of a GameDefinition in the world's namespace. */
  gameRef: string;
  region: string;
  shards: number;
  limits?: WorldLimits;
}

export type ConditionStatus = 'True' | 'False' | 'Unknown';

/** A Kubernetes status condition (metav1.Condition). */
export interface Condition {
  type: string;
  status: ConditionStatus;
  reason: string;
  message: string;
  observedGeneration?: number;
  lastTransitionTime: string;
}

export const WORLD_PHASES = ['Pending', 'Unresolved', 'Resolved', 'Ready'] as const;
export type WorldPhase = (typeof WORLD_PHASES)[number];

export interface WorldInstanceStatus {
  observedGeneration?: number;
  phase?: WorldPhase;
  conditions?: Condition[];
  bindingCount?: number;
  diagnostics?: Diagnostic[];
  /** Written by the controller from the world leases (its own field manager), not by resolution. */
  placement?: WorldPlacement;
}

export interface WorldInstance {
  apiVersion: typeof API_VERSION;
  kind: 'WorldInstance';
  metadata: ObjectMeta;
  spec: WorldInstanceSpec;
  status?: WorldInstanceStatus;
}

export interface CapabilityBindingSpec {
  worldRef: string;
  consumer: { module: string; version: string };
  provider: { module: string; version: string; endpoint: ModuleEndpoint };
  capabilityId: string;
  /** The provided capability's version (not the provider module's version). */
  capabilityVersion: string;
  scope: Scope;
  multiplicity: Multiplicity;
  /** The provider's place among the requirement's providers, 0 = preferred (see Binding.rank). */
  rank: number;
  shard?: number;
}

export interface CapabilityBinding {
  apiVersion: typeof API_VERSION;
  kind: 'CapabilityBinding';
  metadata: ObjectMeta;
  spec: CapabilityBindingSpec;
}

export type AnvilObject = ModuleManifest | GameDefinition | WorldInstance | CapabilityBinding;

// ---- Resolution output --------------------------------------------------------------------

/** One planned binding: consumer's requirement -> provider (per shard for world-shard scope). */
export interface Binding {
  /** Stable, DNS-1123-subdomain name derived from world, consumer, capability, provider, shard. */
  name: string;
  world: string;
  consumer: string;
  capabilityId: string;
  provider: string;
  /** The provided capability's version. */
  providerVersion: string;
  scope: Scope;
  multiplicity: Multiplicity;
  /**
   * The provider's place among the requirement's providers, 0 = preferred: highest capability
   * version first, then module name (rule 4). Always 0 for multiplicity "1"; the shards of one
   * provider share its rank.
   */
  rank: number;
  /** Shard index for world-shard scope, null otherwise. */
  shard: number | null;
}

export type Severity = 'error' | 'warning';

/** Why a provider that came close was not chosen. */
export const CANDIDATE_REASONS = {
  scopeMismatch: 'ScopeMismatch',
  versionOutOfRange: 'VersionOutOfRange',
  notInGame: 'NotInGame',
  invalidVersion: 'InvalidVersion',
  /** The consumer provides the capability itself; a module never binds to itself. */
  selfProvided: 'SelfProvided',
} as const;
export type CandidateReason = (typeof CANDIDATE_REASONS)[keyof typeof CANDIDATE_REASONS];

export interface Candidate {
  module: string;
  /** The provided capability's version. */
  version: string;
  scope: Scope | string;
  reason: string;
}

export interface Diagnostic {
  severity: Severity;
  code: DiagnosticCode;
  /** Module whose requirement or manifest this is about ("" for game-level problems). */
  consumer: string;
  /** Capability concerned ("" when not about one capability). */
  capabilityId: string;
  message: string;
  candidates: Candidate[];
}

export const DIAGNOSTIC_CODES = {
  requirementUnresolved: 'RequirementUnresolved',
  optionalUnresolved: 'OptionalRequirementUnresolved',
  invalidConstraint: 'InvalidVersionConstraint',
  invalidVersion: 'InvalidVersion',
  invalidScope: 'InvalidScope',
  invalidManifest: 'InvalidManifest',
  moduleNotFound: 'ModuleNotFound',
  noSatisfyingModuleVersion: 'NoSatisfyingModuleVersion',
  duplicateModule: 'DuplicateModule',
  requiredCycle: 'RequiredCycle',
  emptyGame: 'EmptyGame',
  /** The world's spec cannot be used (no name, shards not an integer in 1..1024). */
  invalidWorld: 'InvalidWorld',
  /** A game module entry cannot be used (no name, listed twice). */
  invalidGame: 'InvalidGame',
  /** The world's gameRef names no GameDefinition (raised by callers: CLI, controller). */
  gameNotFound: 'GameNotFound',
  /** Two planned bindings got the same name (only possible through a hash collision). */
  bindingNameCollision: 'BindingNameCollision',
} as const;
export type DiagnosticCode = (typeof DIAGNOSTIC_CODES)[keyof typeof DIAGNOSTIC_CODES];

/** A module version that takes part in a world (the highest satisfying the game's constraint). */
export interface Participant {
  module: string;
  version: string;
  manifestName: string;
}

export interface Resolution {
  bindings: Binding[];
  diagnostics: Diagnostic[];
  participants: Participant[];
}
