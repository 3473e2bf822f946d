import { PermissionFlagsBits, PermissionsBitField, type ChatInputCommandInteraction } from 'discord.js';
import { describe, expect, it } from 'vitest';
import { mayTrain } from '../../commands/train.ts';

/** The two fields mayTrain reads, as discord.js gives them for a guild member (API member: roles as an id array). */
function interaction(perms: bigint, roles: string[]): ChatInputCommandInteraction {
  return { memberPermissions: new PermissionsBitField(perms), member: { roles } } as unknown as ChatInputCommandInteraction;
}

describe('who may start training jobs', () => {
  const ROLE = '123456789012345678';
  it('lets Manage Server in, with or without a training role configured', () => {
    expect(mayTrain(interaction(PermissionFlagsBits.ManageGuild, []), ROLE)).toBe(true);
    expect(mayTrain(interaction(PermissionFlagsBits.ManageGuild, []), undefined)).toBe(true);
  });
  it('lets a member with the configured role in, and refuses one without it', () => {
    expect(mayTrain(interaction(0n, [ROLE]), ROLE)).toBe(true);
    expect(mayTrain(interaction(0n, ['999999999999999999']), ROLE)).toBe(false);
  });
  it('refuses ordinary members when no training role is configured', () => {
    expect(mayTrain(interaction(PermissionFlagsBits.SendMessages, [ROLE]), undefined)).toBe(false);
  });
});
