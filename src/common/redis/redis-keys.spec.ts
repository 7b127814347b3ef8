import { RedisKeys } from './redis-keys';

/**
 * Pins the key layout: these strings are what a running Redis holds, so a changed pattern would
 * orphan a deployment's data on upgrade. Change one only with a migration.
 */
describe('RedisKeys', () => {
  const keys = new RedisKeys('{rt}');

  it('builds session keys under the prefix', () => {
    expect(keys.sessionState('s1')).toBe('{rt}:session:s1:state');
    expect(keys.sessionOutbox('s1')).toBe('{rt}:session:s1:outbox');
    expect(keys.sessionDelivered('s1')).toBe('{rt}:session:s1:delivered');
    expect(keys.sessionFinals('s1')).toBe('{rt}:session:s1:finals');
    expect(keys.sessionResults('s1')).toBe('{rt}:session:s1:results');
    expect(keys.sessionResultWritten('s1', 'f:s1:3')).toBe('{rt}:session:s1:written:f:s1:3');
    expect(keys.sessionContext('s1')).toBe('{rt}:session:s1:context');
  });

  it('builds utterance, audio and verdict keys', () => {
    expect(keys.utteranceLatest('s1:4')).toBe('{rt}:utterance:s1:4:latest');
    expect(keys.utteranceAgreement('s1:4')).toBe('{rt}:utterance:s1:4:agreement');
    expect(keys.audio('s1:4', 2)).toBe('{rt}:audio:s1:4:2');
    expect(keys.speculationVerdict('s1:4', 0)).toBe('{rt}:speculation:s1:4:0');
    expect(keys.speculationReady('s1:4', 0)).toBe('{rt}:speculation:s1:4:0:ready');
    expect(keys.speculationVerdictsChannel()).toBe('{rt}:speculation-verdicts');
    expect(keys.speculationOffersChannel()).toBe('{rt}:speculation-offers');
  });

  it('builds translation, API key, archive and security keys', () => {
    expect(keys.translationDirectory()).toBe('{rt}:translation:directory');
    expect(keys.translateReplies('r-1')).toBe('{rt}:translate:r-1');
    expect(keys.translateRate('ip:10.0.0.1', 29000000)).toBe(
      '{rt}:translate-rate:ip:10.0.0.1:29000000',
    );
    expect(keys.apiKey('ab12')).toBe('{rt}:apikey:ab12');
    expect(keys.apiKeyRevoked('ab12')).toBe('{rt}:apikey:ab12:revoked');
    expect(keys.apiKeyUnknown('ab12')).toBe('{rt}:apikey:ab12:unknown');
    expect(keys.apiKeyStatus('key_1')).toBe('{rt}:apikey-status:key_1');
    expect(keys.apiKeyRevokedChannel()).toBe('{rt}:apikey-revoked');
    expect(keys.archiveCursor('s1')).toBe('{rt}:archive:cursor:s1');
    expect(keys.archiveDeleted('s1')).toBe('{rt}:archive:deleted:s1');
    expect(keys.archiveRecover()).toBe('{rt}:archive:recover');
    expect(keys.authFailures('ip:10.0.0.1')).toBe('{rt}:security:authfail:ip:10.0.0.1');
    expect(keys.tokenId('t1')).toBe('{rt}:security:jti:t1');
    expect(keys.keyRevoked('key_1')).toBe('{rt}:security:revoked:key_1');
    expect(keys.keySessions('key_1')).toBe('{rt}:security:sessions:key_1');
  });

  it('builds room keys and reads the room id back from its live channel', () => {
    expect(keys.room('r1')).toBe('{rt}:room:r1');
    expect(keys.roomStream('r1')).toBe('{rt}:room:r1:stream');
    expect(keys.roomLiveChannel('r1')).toBe('{rt}:room:r1:live');
    expect(keys.roomIdOfLiveChannel(keys.roomLiveChannel('r1'))).toBe('r1');
    expect(keys.roomSpeakers('r1')).toBe('{rt}:room:r1:speakers');
    expect(keys.roomFrameWritten('r1', 't:s1:2:es')).toBe('{rt}:room:r1:written:t:s1:2:es');
    expect(keys.roomSeqs('r1')).toBe('{rt}:room:r1:seqs');
    expect(keys.roomPresence('r1')).toBe('{rt}:room:r1:presence');
    expect(keys.roomGrace('r1')).toBe('{rt}:room:r1:grace');
    expect(keys.keyRoomPresence('key_1')).toBe('{rt}:roomkey:key_1:presence');
    expect(keys.keyRoomPresence(null)).toBe('{rt}:roomkey:-:presence');
    expect(keys.roomCode('ABC123')).toBe('{rt}:roomcode:ABC123');
    expect(keys.roomSpeaker('s1')).toBe('{rt}:roomspeaker:s1');
    expect(keys.roomJoins('10.0.0.1', 29000000)).toBe('{rt}:roomjoins:10.0.0.1:29000000');
  });
});
