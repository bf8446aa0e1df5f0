/**
 * CloudEvents type of a tag (topic `anvil.world.interaction`, key the world id, source
 * `/anvil/tag-game`); its data is TaggedData. The id is
 * `dev.anvil.tag.tagged.v1/<worldId>/<tick>/<n>`, n the world's tag count after it.
 */
export const TAGGED_EVENT_TYPE = 'dev.anvil.tag.tagged.v1';

/** `data` of `dev.anvil.tag.tagged.v1`. */
export interface TaggedData {
  worldId: string;
  /** The player who was "it" and tagged. */
  taggerId: string;
  /** The player tagged: "it" now. */
  taggedId: string;
}
