-- A world's CapabilityBindings as the data plane needs them (consumer, capability, provider
-- address), written by the control plane beside the world's phase.
ALTER TABLE "worlds" ADD COLUMN "bindings" JSONB NOT NULL DEFAULT '[]';
