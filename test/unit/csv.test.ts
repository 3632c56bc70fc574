import { parse } from 'csv-parse/sync';
import { csvCell, csvRecord } from '../../src/http/csv';

/** What a CSV reader gets back from one record. */
const readBack = (record: string): string[] => (parse(record, { relax_column_count: false }) as string[][])[0]!;

describe('the CSV writer', () => {
  test.each([
    ['=', '=1+1', "'=1+1"],
    ['+', '+cmd', "'+cmd"],
    ['-', '-2+3', "'-2+3"],
    ['@', '@SUM(A1)', "'@SUM(A1)"],
    ['tab', '\t=1+1', "'\t=1+1"],
  ])('when a text cell begins with %s, then it gets a leading single quote', (_name, value, expected) => {
    expect(csvCell(value)).toBe(expected);
    expect(readBack(csvRecord([value]))).toEqual([expected]);
  });

  test('when a text cell begins with a carriage return, then it is neutralised and quoted, and reads back with the quote', () => {
    expect(csvCell('\r=1+1')).toBe(`"'\r=1+1"`);
    expect(readBack(csvRecord(['\r=1+1', 'x']))).toEqual(["'\r=1+1", 'x']);
  });

  test('when the formula characters are inside a cell, or it starts with anything else, then the cell is unchanged', () => {
    for (const value of ['a=1+1', 'ops+ci@example.com', 'user-1', ' =1', "'=quoted", '2025-01-01T00:00:00.000Z', '(-1)', 'x@y']) {
      expect(csvCell(value)).toBe(value);
    }
  });

  test('when a cell holds commas, double quotes, CR or LF, then it is quoted with the quotes doubled (RFC 4180) and reads back unchanged', () => {
    const values = ['smith,jr', 'say "hi"', 'two\r\nlines', 'lf\nonly', 'cr\ronly', '"', ',', ''];
    expect(csvCell('smith,jr')).toBe('"smith,jr"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('two\r\nlines')).toBe('"two\r\nlines"');
    expect(readBack(csvRecord(values))).toEqual(values);
  });

  test('when a neutralised cell also needs quoting, then both apply: the quote goes inside the RFC 4180 quotes', () => {
    expect(csvCell('=HYPERLINK("http://x","y")')).toBe(`"'=HYPERLINK(""http://x"",""y"")"`);
    expect(readBack(csvRecord(['-1,2', '@a"b']))).toEqual(["'-1,2", `'@a"b`]);
  });

  test('when cells are numbers, booleans or missing, then numbers are written as numbers, booleans as true/false and missing values empty', () => {
    expect(csvRecord([42, 0, -3, 1.5, true, false, null, undefined])).toBe('42,0,-3,1.5,true,false,,\r\n');
  });

  test('when a number is not finite, then the writer refuses it instead of writing NaN or Infinity', () => {
    expect(() => csvCell(Number.NaN)).toThrow(/finite/);
    expect(() => csvCell(Number.POSITIVE_INFINITY)).toThrow(/finite/);
  });

  test('when a record is written, then it ends with CRLF and has one cell per value', () => {
    const record = csvRecord(['a', '=b', 'c,d', 1]);
    expect(record).toBe(`a,'=b,"c,d",1\r\n`);
    expect(readBack(record)).toEqual(['a', "'=b", 'c,d', '1']);
  });
});
