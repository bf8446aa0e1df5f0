// `@anvil/game-host/testing`: what game modules' tests share (never imported by their sources).
export { startPhysics, type PhysicsProcess } from './physics-process';
