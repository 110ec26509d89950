// Modifiers: what happens to a beneficiary's amount after the schedule — qualification thresholds,
// accelerators by plan attainment, caps and floors, budgets with a declared policy, clawback. Each
// family has its own header with the functions that apply it.
#pragma once

#include <incentives/rules/accelerator.hpp>
#include <incentives/rules/budget.hpp>
#include <incentives/rules/clawback.hpp>
#include <incentives/rules/limits.hpp>
#include <incentives/rules/threshold.hpp>
