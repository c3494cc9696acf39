export { createNecpClient, type NecpClient, type NecpClientOptions } from './client.ts';
export type { paths as AuthPaths } from './generated/auth.ts';
export type { paths as CharacterPaths } from './generated/character.ts';
export type { paths as EconomyPaths } from './generated/economy.ts';
export type { paths as GameplayPaths } from './generated/gameplay.ts';
export type { paths as SocialPaths } from './generated/social.ts';
export type { paths as WorldPaths } from './generated/world.ts';
export { createSession, type Session, type SessionOptions, type Tokens } from './session.ts';
export { openStream, type StreamControl, type StreamEvent, type StreamHandle, type StreamOptions } from './stream.ts';
