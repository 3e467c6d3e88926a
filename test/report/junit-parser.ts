// Reads JUnit XML back the way CI servers do: attributes kept verbatim, entities decoded, suites and cases always lists.
import { XMLParser } from 'fast-xml-parser';

export type XmlNode = Record<string, any>;

export const junitParser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '',
  trimValues: false,
  parseTagValue: false,
  parseAttributeValue: false,
  htmlEntities: true,
  isArray: (name) => name === 'testsuite' || name === 'testcase',
});
