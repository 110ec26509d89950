// Reading events and reference data from CSV files (declarations only; compiled in incentives::io).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <incentives/engine/result.hpp>
#include <incentives/model.hpp>

namespace incentives::io {

/// Events: id,kind,date,partner,participants,sku,category,quantity,amount,currency,reference and
/// attribute columns named attr.<name>. Participants are "U1:0.6;U2:0.4". Errors name file:line:column
/// and the field.
[[nodiscard]] std::vector<event> read_events_csv(const std::string& path);
[[nodiscard]] std::vector<event> parse_events_csv(std::string_view text, std::string_view source = "<string>");

/// Partners: id,name,segment,group,region,tier; any other column is an attribute.
[[nodiscard]] std::vector<partner> read_partners_csv(const std::string& path);
/// Participants: id,partner,role,birthday; any other column is an attribute.
[[nodiscard]] std::vector<participant> read_participants_csv(const std::string& path);
/// Products: sku,category; any other column is an attribute.
[[nodiscard]] std::vector<product> read_products_csv(const std::string& path);
/// Plans: beneficiary,period,target (period: any date inside the period).
[[nodiscard]] std::vector<plan> read_plans_csv(const std::string& path);
/// Paid lines (what restate() corrects): rule,beneficiary,period,amount and optionally
/// beneficiary_type, currency, reference; partner, kind, reverses and returned_by are allowed and
/// not used, so the payouts CSV of a run reads as what was paid. An empty reference is "path:line".
[[nodiscard]] std::vector<paid_line> read_paid_csv(const std::string& path);

}  // namespace incentives::io
