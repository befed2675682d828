// json-logic-js: the rule as a plain JsonLogic expression interpreted per call. JsonLogic has no hashing,
// so sticky bucketing is a custom `bucket` operation (add_operation) with the same MurmurHash3 bucketing
// as Pitboss: `bucket(flagKey, unitId)` returns 0..999_999.
import jsonLogic from 'json-logic-js';
import { FLAG_KEY } from '../flag.js';
import { bucketOf } from '../murmur3.js';

jsonLogic.add_operation('bucket', bucketOf);

const rule = {
  or: [
    {
      and: [
        { in: [{ var: 'market' }, ['DE', 'SE']] },
        { '<': [{ bucket: [FLAG_KEY, { var: 'userId' }] }, 250_000] },
      ],
    },
    { and: [{ '==': [{ var: 'brand' }, 'X'] }, { '===': [{ var: 'isEmployee' }, true] }] },
  ],
};

export default {
  name: 'json-logic-js',
  pkg: 'json-logic-js',
  kind: 'peer',
  async setup(contexts) {
    const inputs = contexts.map((c) => ({
      userId: c.user.id,
      market: c.market,
      brand: c.brand,
      isEmployee: c.user.isEmployee,
    }));
    return {
      inputs,
      // `or` returns the last evaluated operand, so coerce to a boolean like the other SDKs.
      evaluate: (data) => jsonLogic.apply(rule, data) === true,
    };
  },
};
