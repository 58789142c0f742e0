// The verdict a test case gives a claim, for the report (//reports:report).
//
//   record_verdict("E5.5", ClaimState::kNotConfirmed,
//                  "seed 4: paired z 0.9, level z >= 3");
//
// lands in the test's XML as a property of the current test case,
//   <property name="verdict:E5.5" value="not confirmed: seed 4: ..."/>
// which the report reads instead of any free text. The states:
//   verified       the case checks the statement and it holds;
//   refuted        the case establishes an exact counterexample, or a
//                  difference significant at a level the statistic states
//                  (the case then checks the corrected statement and passes);
//   not confirmed  the data do not decide the statement (e.g. a tie within
//                  noise); the statistic states the margin and its noise level.
// A passing case that the claim's `cases` filter selects and that records
// nothing for the claim counts as verifying it. Several records for one claim
// in one test case merge: the strongest state wins (refuted, then not
// confirmed, then verified) and the statistics are joined with "; ".
#ifndef PROOFS_CHECKS_VERDICT_H_
#define PROOFS_CHECKS_VERDICT_H_

#include <string>

namespace fgbdl {

enum class ClaimState { kVerified, kNotConfirmed, kRefuted };

// "verified", "not confirmed", "refuted".
const char* to_string(ClaimState state);

// Records the verdict of the current test case on claim `claim` (an id such
// as "E5.5" or "T3"), with the statistic behind it (not empty). Outside a
// test case, or with an empty claim or statistic, the current test fails.
void record_verdict(const std::string& claim, ClaimState state, const std::string& statistic);

}  // namespace fgbdl

#endif  // PROOFS_CHECKS_VERDICT_H_
