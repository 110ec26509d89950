// The reference data a run needs — partners, participants, products, plans — checked and indexed.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <incentives/detail/suggest.hpp>
#include <incentives/engine/id_registry.hpp>
#include <incentives/errors.hpp>
#include <incentives/model.hpp>

namespace incentives::detail {

/// The ids of a table kept together (one buffer and offsets): a lookup confirms its hash hit by
/// comparing a few cached bytes here instead of reading the whole row (a partner is 240 bytes;
/// 10,000 of them do not stay in cache, and that miss was a third of intake's time).
class key_texts {
public:
    void add(std::string_view s) {
        if (bytes_.size() + s.size() > UINT32_MAX)
            throw input_error("incentives.input.capacity", "the ids of a reference table exceed 4 GiB");
        bytes_.append(s);
        end_.push_back(static_cast<std::uint32_t>(bytes_.size()));
    }
    [[nodiscard]] INCENTIVES_HOT_INLINE std::string_view operator[](std::uint32_t i) const noexcept {
        const std::uint32_t begin = i == 0 ? 0 : end_[i - 1];
        return {bytes_.data() + begin, end_[i] - begin};
    }

private:
    std::string bytes_;
    std::vector<std::uint32_t> end_;
};

/// A date in a partner's or participant's attribute (`registered`, `active_from`,
/// `certified.<course>`): nullopt when absent or empty; input_error naming `who` ("partner",
/// "participant"), its id and the attribute when it is not a date.
[[nodiscard]] inline std::optional<date> date_attribute(const attributes& attrs, std::string_view name, std::string_view who,
                                                        const std::string& id) {
    auto it = attrs.find(name);
    if (it == attrs.end() || it->second.empty()) return std::nullopt;
    try {
        return date::parse(it->second);
    } catch (const error&) {
        throw input_error("incentives.input.catalog", std::string(who) + " \"" + id + "\": attribute " + std::string(name) + " is \"" +
                                                          it->second + "\", expected a date (YYYY-MM-DD)");
    }
}

}  // namespace incentives::detail

namespace incentives {

/// Partners, participants, products and plans, with their ids indexed. Immutable once built.
class catalog {
public:
    catalog() = default;
    catalog(std::vector<partner> partners, std::vector<participant> participants = {},
            std::vector<product> products = {}, std::vector<plan> plans = {})
        : partners_(std::move(partners)), participants_(std::move(participants)), products_(std::move(products)),
          plans_(std::move(plans)) {
        index(partners_, partner_index_, partner_ids_, "partners", [](const partner& p) -> const std::string& { return p.id; });
        index(participants_, participant_index_, participant_ids_, "participants",
              [](const participant& p) -> const std::string& { return p.id; });
        index(products_, product_index_, product_ids_, "products", [](const product& p) -> const std::string& { return p.sku; });
        participant_partner_.reserve(participants_.size());
        for (std::size_t i = 0; i < participants_.size(); ++i) {
            auto pi = partner_index(participants_[i].partner);
            if (!pi)
                throw input_error("incentives.input.unknown_partner",
                                  "participants row " + std::to_string(i + 1) + ", field partner: unknown partner \"" +
                                      participants_[i].partner + "\"" + suggest_partner(participants_[i].partner));
            participant_partner_.push_back(*pi);
        }
        for (std::size_t i = 0; i < plans_.size(); ++i) {
            const auto& pl = plans_[i];
            if (!partner_index(pl.beneficiary) && !participant_index(pl.beneficiary))
                throw input_error("incentives.input.unknown_beneficiary",
                                  "plans row " + std::to_string(i + 1) + ", field beneficiary: \"" + pl.beneficiary +
                                      "\" is neither a partner nor a participant");
            if (pl.target.signum() <= 0)
                throw input_error("incentives.input.plan_target",
                                  "plans row " + std::to_string(i + 1) + ", field target: expected a target above zero, got " +
                                      pl.target.to_string());
        }
    }

    [[nodiscard]] const std::vector<partner>& partners() const noexcept { return partners_; }
    [[nodiscard]] const std::vector<participant>& participants() const noexcept { return participants_; }
    [[nodiscard]] const std::vector<product>& products() const noexcept { return products_; }
    [[nodiscard]] const std::vector<plan>& plans() const noexcept { return plans_; }

    [[nodiscard]] std::optional<std::uint32_t> partner_index(std::string_view id) const {
        return find(partner_index_, partner_ids_, id);
    }
    [[nodiscard]] std::optional<std::uint32_t> participant_index(std::string_view id) const {
        return find(participant_index_, participant_ids_, id);
    }
    [[nodiscard]] std::optional<std::uint32_t> product_index(std::string_view sku) const {
        return find(product_index_, product_ids_, sku);
    }
    /// The partner (index) a participant (index) works at.
    [[nodiscard]] std::uint32_t partner_of(std::uint32_t participant) const { return participant_partner_[participant]; }

    /// " (did you mean ...)" for a misspelt partner id.
    [[nodiscard]] std::string suggest_partner(std::string_view id) const { return suggest(partners_, id, &partner::id); }
    [[nodiscard]] std::string suggest_participant(std::string_view id) const {
        return suggest(participants_, id, &participant::id);
    }
    [[nodiscard]] std::string suggest_product(std::string_view sku) const { return suggest(products_, sku, &product::sku); }

private:
    // Row numbers by id hash (a flat table: an event's lookups are on the hot path of encode).
    template <class T, class Key>
    static void index(const std::vector<T>& rows, detail::id_index& out, detail::key_texts& texts, std::string_view table,
                      Key key) {
        out.reserve(rows.size());
        for (std::size_t i = 0; i < rows.size(); ++i) {
            const std::string& k = key(rows[i]);
            if (k.empty())
                throw input_error("incentives.input.missing_id",
                                  std::string(table) + " row " + std::to_string(i + 1) + ": the id is empty");
            const std::uint64_t h = detail::id_hash(k);
            if (out.find(h, k, [&](std::uint32_t j) { return texts[j]; }) != detail::id_index::npos)
                throw input_error("incentives.input.duplicate_id", std::string(table) + " row " + std::to_string(i + 1) +
                                                                       ": duplicate id \"" + k + "\"");
            out.insert(h, static_cast<std::uint32_t>(i));
            texts.add(k);
        }
    }
    INCENTIVES_HOT_INLINE static std::optional<std::uint32_t> find(const detail::id_index& ix, const detail::key_texts& texts, std::string_view id) {
        auto k = ix.find(detail::id_hash(id), id, [&](std::uint32_t j) { return texts[j]; });
        if (k == detail::id_index::npos) return std::nullopt;
        return k;
    }
    template <class T>
    static std::string suggest(const std::vector<T>& rows, std::string_view id, std::string T::*member) {
        if (rows.size() > 100000) return {};  // keep error paths cheap on huge catalogs
        std::vector<std::string_view> names;
        names.reserve(rows.size());
        for (const auto& r : rows) names.emplace_back(r.*member);
        return detail::did_you_mean(id, names);
    }

    std::vector<partner> partners_;
    std::vector<participant> participants_;
    std::vector<product> products_;
    std::vector<plan> plans_;
    detail::id_index partner_index_, participant_index_, product_index_;
    detail::key_texts partner_ids_, participant_ids_, product_ids_;
    std::vector<std::uint32_t> participant_partner_;
};

}  // namespace incentives
