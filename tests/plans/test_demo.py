from types import SimpleNamespace

from mediane.demo.plans_data import load_plans
from mediane.plans.models import Action, Plan
from mediane.plans.selectors import active_plan, plan_tree


def test_demo_plan_of_lourdes(world):
    world.lourdes.name = "Ville de Lourdes"
    loader = SimpleNamespace(
        organisations={"Ville de Lourdes": world.lourdes},
        users={"city_editor": world.editor, "city_member": world.member},
    )
    load_plans(loader)
    load_plans(loader)  # idempotent
    plan = Plan.objects.get()
    assert active_plan(world.lourdes) == plan
    tree = plan_tree(plan)
    assert [n.axis.number for n in tree.axes] == [1, 2, 3, 4, 5]
    assert tree.axes[2].axis.title == "Nouvelle impulsion économique"
    action = Action.objects.get(plan=plan, number=72)
    assert not action.is_example
    assert Action.objects.filter(plan=plan, is_example=False).count() == 1
    assert tree.progress is not None
