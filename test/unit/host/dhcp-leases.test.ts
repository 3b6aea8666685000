import { describe, expect, it } from 'vitest';
import { countLeases, parseLeaseTime } from '../../../src-main/core/host/dhcp-leases';

const NOW = 0x66500000;
const hex = (n: number) => `0x${n.toString(16)}`;

const LEASES = `{
	name=admins-Virtual-Machine
	ip_address=192.168.64.3
	hw_address=1,7e:3e:a:1b:0:ff
	identifier=1,7e:3e:a:1b:0:ff
	lease=${hex(NOW + 3600)}
}
{
	name=ubuntu
	ip_address=192.168.64.4
	identifier=ff,f1:f5:dd:7f:0:2:0:0:ab:11:3e:1c:9a:2b:77:d3:8f:1e
	lease=${hex(NOW + 60)}
}
{
	ip_address=192.168.64.5
	hw_address=1,2:0:0:0:0:1
	lease=${hex(NOW - 1)}
}
{
	name=no-lease-line
	ip_address=192.168.64.6
}
`;

describe('DHCP lease blocks are counted, never used for addresses (tart.md §6, field-failures #17)', () => {
  it('counts active and expired blocks, client-id entries without hw_address included', () => {
    expect(countLeases(LEASES, NOW)).toEqual({ active: 3, expired: 1 });
  });

  it('a lease expiring exactly now is expired', () => {
    expect(countLeases(`{\n\tlease=${hex(NOW)}\n}\n`, NOW)).toEqual({ active: 0, expired: 1 });
  });

  it('an empty or missing file has no leases', () => {
    expect(countLeases('', NOW)).toEqual({ active: 0, expired: 0 });
  });

  it('a truncated last block is not counted', () => {
    expect(countLeases(`{\n\tlease=${hex(NOW + 5)}\n}\n{\n\tip_address=1.2.3.4\n`, NOW)).toEqual({ active: 1, expired: 0 });
  });

  it('CRLF line ends are fine', () => {
    expect(countLeases(LEASES.replace(/\n/g, '\r\n'), NOW)).toEqual({ active: 3, expired: 1 });
  });
});

describe('DHCPLeaseTimeSecs from `defaults read … bootpd`', () => {
  it.each([
    ['{\n    DHCPLeaseTimeSecs = 600;\n}\n', 600],
    ['{\n    DHCPLeaseTimeSecs = "3600";\n    Other = 1;\n}', 3600],
    ['{\n}\n', undefined],
    ['', undefined],
  ])('%j -> %s', (text, value) => expect(parseLeaseTime(text)).toBe(value));
});
